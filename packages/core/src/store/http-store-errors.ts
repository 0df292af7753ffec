import { VarveError } from '../errors/varve-error.ts'
import type { StoreOperation } from './store.ts'
import { alreadyExists, describeOperation } from './store-errors.ts'

/** One request of the http store, as its errors describe it. */
export interface HttpCall {
  /** The store's description: its base URL. */
  readonly store: string
  readonly operation: StoreOperation
  /** The key, or for `list` the prefix. */
  readonly target: string
  readonly method: string
  readonly url: string
}

/** The request got no answer, or its body broke off: `Transient`, the same call may succeed later. */
export function httpNetworkError(call: HttpCall, cause: unknown): VarveError {
  return new VarveError(
    'Transient',
    `${call.store} could not be reached to ${describeOperation(call.operation, call.target)}; retry later, and check that the server runs if it keeps failing.`,
    { cause, details: detailsOf(call) },
  )
}

/**
 * The error for an answer the operation did not expect; reads the body into the cause.
 * 412 on create → `AlreadyExists`; 401, 403 → `PermissionDenied`; 429, 5xx → `Transient`;
 * anything else → `StoreFailure`.
 */
export async function httpResponseError(call: HttpCall, response: Response): Promise<VarveError> {
  const cause = new Error(
    `${call.method} ${call.url} answered ${response.status} ${response.statusText}: ${await bodyText(response)}`,
  )
  const { status } = response
  const what = describeOperation(call.operation, call.target)
  const details = { ...detailsOf(call), status }
  if (status === 412 && call.operation === 'create') return alreadyExists(call.target, cause)
  if (status === 401 || status === 403) {
    return new VarveError(
      'PermissionDenied',
      `${call.store} refused to ${what} (HTTP ${status}): writes need a server started with a token and the same token given to the store (createHttpStore({ url, token })).`,
      { cause, details },
    )
  }
  if (status === 429 || status >= 500) {
    return new VarveError(
      'Transient',
      `${call.store} is busy or failing (HTTP ${status}) and could not ${what}; retry later.`,
      { cause, details },
    )
  }
  return new VarveError(
    'StoreFailure',
    `${call.store} answered HTTP ${status} when asked to ${what}; is this the URL of a Varve repository (a Varve server's /repo, or a static copy with listing indexes)? The cause holds the answer.`,
    { cause, details },
  )
}

/** A request carrying the token was answered with a redirect, which the store does not follow. */
export async function httpRedirectError(call: HttpCall, response: Response): Promise<VarveError> {
  const location = response.headers.get('location')
  await response.body?.cancel()
  return new VarveError(
    'StoreFailure',
    `${call.store} redirected the request to ${describeOperation(call.operation, call.target)} (HTTP ${response.status}${location === null ? '' : ` to ${location}`}); requests carrying the token follow no redirect, so the token is sent to ${call.store} only: give the store the URL the server answers at.`,
    { details: { ...detailsOf(call), status: response.status } },
  )
}

/** A write on a store opened without a token. */
export function readOnlyStoreError(store: string, operation: StoreOperation, target: string): VarveError {
  return new VarveError(
    'PermissionDenied',
    `${store} is opened read-only and cannot ${describeOperation(operation, target)}: pass a token (createHttpStore({ url, token }) or Repo.open(url, { store: { token } })) to write to a Varve server that allows writes, or write to a local copy instead.`,
    { details: { key: target, operation } },
  )
}

function detailsOf(call: HttpCall): Record<string, unknown> {
  const target = call.operation === 'list' ? { prefix: call.target } : { key: call.target }
  return { ...target, operation: call.operation }
}

// The start of the body explains a failure; the status is what the error is about.
async function bodyText(response: Response): Promise<string> {
  try {
    const text = await response.text()
    return text.length > 300 ? `${text.slice(0, 300)}…` : text || '(empty body)'
  } catch (error) {
    return `(body unreadable: ${String(error)})`
  }
}
