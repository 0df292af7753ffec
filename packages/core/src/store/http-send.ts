import { type HttpCall, httpNetworkError, httpRedirectError } from './http-store-errors.ts'

/** How the http store sends its requests. */
export interface HttpSendSettings {
  readonly fetch: typeof fetch
  /** The bearer token, sent on every request but a GET; undefined for a read-only store. */
  readonly token: string | undefined
  /** How often a request that got no answer, 429 or 503 is tried again (never a create). */
  readonly retries: number
  /** How long one request may take, its body included. */
  readonly timeoutMs: number
}

/**
 * Sends one request of the http store. Reads, puts and deletes are idempotent, so a busy answer
 * (429, 503) or a lost connection is retried after a jittered pause; a create is not, since its
 * first attempt may have landed. A request that carries the token follows no redirect: the token
 * goes to the store's URL and nowhere else, and a redirect is `StoreFailure` (httpRedirectError).
 * No answer at all is `Transient`; any other answer is returned for the caller to judge.
 */
export async function sendHttp(
  settings: HttpSendSettings,
  c: HttpCall,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers)
  const authorized = settings.token !== undefined && c.method !== 'GET'
  if (authorized) headers.set('authorization', `Bearer ${settings.token}`)
  const attempts = c.operation === 'create' ? 1 : settings.retries + 1
  for (let attempt = 1; ; attempt++) {
    let response: Response
    try {
      response = await settings.fetch(c.url, {
        ...init,
        headers,
        method: c.method,
        redirect: authorized ? 'manual' : 'follow',
        signal: AbortSignal.timeout(settings.timeoutMs),
      })
    } catch (cause) {
      if (attempt >= attempts) throw httpNetworkError(c, cause)
      await pause(attempt, undefined)
      continue
    }
    if (authorized && response.status >= 300 && response.status < 400)
      throw await httpRedirectError(c, response)
    if ((response.status !== 429 && response.status !== 503) || attempt >= attempts) return response
    await response.body?.cancel()
    await pause(attempt, response.headers.get('retry-after'))
  }
}

async function pause(attempt: number, retryAfter: string | null | undefined): Promise<void> {
  const asked = Number(retryAfter)
  const ms =
    retryAfter != null && Number.isFinite(asked) && asked >= 0
      ? Math.min(asked * 1000, 5000)
      : 100 * 2 ** (attempt - 1) * (0.5 + Math.random())
  await new Promise((resolve) => setTimeout(resolve, ms))
}
