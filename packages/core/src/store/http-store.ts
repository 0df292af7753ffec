import { VarveError } from '../errors/varve-error.ts'
import { forEachLimited } from '../util/for-each-limited.ts'
import {
  type FetchText,
  parseServerPage,
  parseStaticIndex,
  SERVER_LIST_PATH,
  STATIC_INDEX_NAME,
  walkStaticIndexes,
} from './http-listing.ts'
import {
  type HttpCall,
  httpNetworkError,
  httpResponseError,
  readOnlyStoreError,
} from './http-store-errors.ts'
import { validateKey, validatePrefix, validateRange } from './keys.ts'
import type { Store, StoreCapabilities, StoreOperation } from './store.ts'

/** How many DELETE requests run at once (one key per request). */
const DELETE_CONCURRENCY = 8

export interface HttpStoreOptions {
  /**
   * The repository's base URL: a Varve server's `http://host:port/repo`, or the folder of a
   * repository published as static files. It becomes the store's `description`, so it must
   * hold no credentials, query or fragment (`InvalidArgument`).
   */
  readonly url: string
  /**
   * The bearer token of a Varve server that allows writes. Without one the store is read-only:
   * `put`, `create` and `delete` throw `PermissionDenied` without sending anything.
   */
  readonly token?: string
  /**
   * How keys are listed: `'server'` asks a Varve server (`<url>/.varve/list`), `'static'` reads
   * the `.varve-index.json` file of each folder (docs/serving.md), `'auto'` (default) tries the
   * server on the first listing and falls back to the indexes.
   */
  readonly listing?: 'auto' | 'server' | 'static'
  /** Sends the requests; default the global `fetch` (add tracing or a proxy here). */
  readonly fetch?: typeof fetch
  /**
   * How often a request that got no answer, 429 or 503 is tried again (never a create), after
   * 0.1 s, 0.2 s, 0.4 s… with jitter, or the server's `Retry-After` up to 5 s. Default 3.
   */
  readonly retries?: number
  /** How long one request may take, its body included, before it counts as lost. Default 60 s. */
  readonly timeoutMs?: number
}

/**
 * A store over HTTP(S): objects are `GET <url>/<key>` (ranges with `Range`), listings come
 * from a Varve server or static index files, and writes (`PUT`, `PUT` with
 * `If-None-Match: *`, `DELETE`) go to a Varve server with the bearer token. Absent objects are
 * `undefined`; 401/403 are `PermissionDenied`, 429/5xx and network failures `Transient`.
 */
export function createHttpStore(options: HttpStoreOptions): Store {
  const root = parseHttpUrl(options.url)
  const fetchImpl = options.fetch ?? globalThis.fetch
  const token = options.token
  const retries = options.retries ?? 3
  const timeoutMs = options.timeoutMs ?? 60_000
  const capabilities: StoreCapabilities = { atomicCreate: token !== undefined, rangeRead: true }
  let listing = options.listing ?? 'auto'
  let rootIndexSeen = false

  const urlOf = (path: string) => `${root}/${path}`
  const keyPath = (key: string) => key.split('/').map(encodeURIComponent).join('/')
  const call = (operation: StoreOperation, target: string, method: string, url: string): HttpCall => ({
    store: root,
    operation,
    target,
    method,
    url,
  })

  // Reads, puts and deletes are idempotent, so a busy answer (429, 503) or a lost connection is
  // retried after a jittered pause; a create is not, since its first attempt may have landed.
  async function send(c: HttpCall, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (token !== undefined && c.method !== 'GET') headers.set('authorization', `Bearer ${token}`)
    const attempts = c.operation === 'create' ? 1 : retries + 1
    for (let attempt = 1; ; attempt++) {
      let response: Response
      try {
        response = await fetchImpl(c.url, {
          ...init,
          headers,
          method: c.method,
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (cause) {
        if (attempt >= attempts) throw httpNetworkError(c, cause)
        await pause(attempt, undefined)
        continue
      }
      if ((response.status !== 429 && response.status !== 503) || attempt >= attempts) return response
      await response.body?.cancel()
      await pause(attempt, response.headers.get('retry-after'))
    }
  }

  async function bytes(c: HttpCall, response: Response): Promise<Uint8Array> {
    try {
      return new Uint8Array(await response.arrayBuffer())
    } catch (cause) {
      throw httpNetworkError(c, cause)
    }
  }

  const fetchText: FetchText = async (path, c) => {
    const response = await send({ ...c, url: urlOf(path) })
    if (response.status === 404) {
      await response.body?.cancel()
      return undefined
    }
    if (response.status !== 200) throw await httpResponseError({ ...c, url: urlOf(path) }, response)
    return new TextDecoder().decode(await bytes(c, response))
  }

  function writable(operation: StoreOperation, key: string): void {
    if (token === undefined) throw readOnlyStoreError(root, operation, key)
  }

  async function write(operation: 'put' | 'create', key: string, data: Uint8Array): Promise<void> {
    validateKey(key)
    writable(operation, key)
    const c = call(operation, key, 'PUT', urlOf(keyPath(key)))
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
    if (operation === 'create') headers['if-none-match'] = '*'
    const response = await send(c, { body: data, headers })
    if (!response.ok) throw await httpResponseError(c, response)
    await response.body?.cancel()
  }

  /** One page of a server listing; in `detect` mode, undefined when the host is no Varve server. */
  async function serverPage(prefix: string, after: string | undefined, detect: boolean) {
    const query = new URLSearchParams({ prefix })
    if (after !== undefined) query.set('after', after)
    const c = call('list', prefix, 'GET', urlOf(`${SERVER_LIST_PATH}?${query}`))
    const text = await fetchText(`${SERVER_LIST_PATH}?${query}`, c)
    if (text === undefined && detect) return undefined
    if (text === undefined) throw noListing(c)
    if (!detect) return parseServerPage(c, text)
    try {
      return parseServerPage(c, text)
    } catch {
      return undefined
    }
  }

  async function fetchIndex(prefix: string, folder: string): Promise<string[] | undefined> {
    const c = call('list', prefix, 'GET', urlOf(folder + STATIC_INDEX_NAME))
    const text = await fetchText(keyPath(folder + STATIC_INDEX_NAME), c)
    if (text !== undefined) {
      if (folder === '') rootIndexSeen = true
      return parseStaticIndex(c, text)
    }
    // A folder without an index holds nothing, but a base URL without a root index is no repository.
    if (folder === '') throw noListing(c)
    if (!rootIndexSeen) await fetchIndex(prefix, '')
    return undefined
  }

  return {
    description: root,
    capabilities,

    async get(key) {
      const c = call('get', validateKey(key), 'GET', urlOf(keyPath(key)))
      const response = await send(c)
      if (response.status === 404) {
        await response.body?.cancel()
        return undefined
      }
      if (response.status !== 200) throw await httpResponseError(c, response)
      return bytes(c, response)
    },

    async getRange(key, range) {
      validateRange(range)
      const c = call('getRange', validateKey(key), 'GET', urlOf(keyPath(key)))
      // `bytes=a-b` includes b, so zero bytes cannot be asked for: ask for one and keep none.
      const last = range.offset + Math.max(range.length, 1) - 1
      const response = await send(c, { headers: { range: `bytes=${range.offset}-${last}` } })
      switch (response.status) {
        case 206:
          return (await bytes(c, response)).subarray(0, range.length)
        case 200: // a host that ignores Range sends the whole object
          return (await bytes(c, response)).slice(range.offset, range.offset + range.length)
        case 416: // the object ends before the range starts
          await response.body?.cancel()
          return new Uint8Array(0)
        case 404:
          await response.body?.cancel()
          return undefined
        default:
          throw await httpResponseError(c, response)
      }
    },

    put: (key, data) => write('put', key, data),
    create: (key, data) => write('create', key, data),

    async *list(prefix) {
      validatePrefix(prefix)
      if (listing !== 'static') {
        // The first listing of an 'auto' store asks the server; a static host answers 404 (or a
        // page that is no listing), and the indexes are used from then on.
        let page = await serverPage(prefix, undefined, listing === 'auto')
        if (page !== undefined) {
          listing = 'server'
          for (;;) {
            yield* page.keys
            if (page.next === undefined) return
            page = (await serverPage(prefix, page.next, false))!
          }
        }
        listing = 'static'
      }
      yield* walkStaticIndexes((folder) => fetchIndex(prefix, folder), prefix)
    },

    async delete(keys) {
      for (const key of keys) validateKey(key)
      if (keys.length === 0) return
      writable('delete', keys[0] as string)
      await forEachLimited(keys, DELETE_CONCURRENCY, async (key) => {
        const c = call('delete', key, 'DELETE', urlOf(keyPath(key)))
        const response = await send(c)
        if (!response.ok && response.status !== 404) throw await httpResponseError(c, response)
        await response.body?.cancel()
      })
    },
  }
}

/** The `http:` / `https:` scheme of `openStore`: `options` may hold `token`, `listing` and `fetch`. */
export function openHttpStore(uri: URL, options: Readonly<Record<string, unknown>> = {}): Store {
  const url = new URL(uri.href)
  // `http://host/repo#collection` names a collection for replicate(); the store is the repository.
  url.hash = ''
  return createHttpStore({ ...(options as Partial<HttpStoreOptions>), url: url.href })
}

function parseHttpUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch (cause) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid URL ${JSON.stringify(value)}: give an absolute http(s) URL.`,
      {
        cause,
      },
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new VarveError(
      'InvalidArgument',
      'The repository URL holds credentials; pass a bearer token as the token option instead.',
    )
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new VarveError(
      'InvalidArgument',
      `Invalid repository URL ${JSON.stringify(value)}: give an http: or https: URL without query or fragment.`,
    )
  }
  return url.href.replace(/\/+$/, '')
}

async function pause(attempt: number, retryAfter: string | null | undefined): Promise<void> {
  const asked = Number(retryAfter)
  const ms =
    retryAfter != null && Number.isFinite(asked) && asked >= 0
      ? Math.min(asked * 1000, 5000)
      : 100 * 2 ** (attempt - 1) * (0.5 + Math.random())
  await new Promise((resolve) => setTimeout(resolve, ms))
}

function noListing(c: HttpCall): VarveError {
  return new VarveError(
    'StoreFailure',
    `${c.store} has no listing (${c.url} is missing): point the URL at a Varve server's /repo, or publish ${STATIC_INDEX_NAME} files beside a static copy (docs/serving.md).`,
    { details: { prefix: c.target, operation: 'list' } },
  )
}
