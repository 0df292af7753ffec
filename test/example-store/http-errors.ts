// The walk-through of docs/writing-a-store.md, deliberately standalone: core's http store
// (packages/core/src/store/http-store.ts) is much alike, but this copy keeps the guide's example whole.
import { alreadyExists, VarveError } from '@varve/core'

/** One request of the store, as its errors describe it. */
export interface HttpCall {
  /** The store's description, e.g. `http://127.0.0.1:8080`. */
  readonly store: string
  /** The method of the store contract that sent the request. */
  readonly operation: 'get' | 'getRange' | 'put' | 'create' | 'list' | 'delete'
  /** The key, or for `list` the prefix. */
  readonly target: string
  readonly method: string
  readonly url: string
}

/**
 * The request got no answer (connection refused or reset, DNS, timeout), or the
 * answer's body broke off: `Transient`, as the same call may succeed later.
 */
export function networkError(call: HttpCall, cause: unknown): VarveError {
  return new VarveError(
    'Transient',
    `The blob service ${call.store} could not be reached for ${call.operation} of ${JSON.stringify(call.target)}; retry later, and check that the service runs if it keeps failing.`,
    { cause, details: detailsOf(call) },
  )
}

/**
 * The error for an answer the operation did not expect. Reads the body, which
 * goes into the cause (and frees the connection).
 *
 * | status        | code                                  |
 * |---------------|---------------------------------------|
 * | 412 on create | `AlreadyExists`                       |
 * | 401, 403      | `PermissionDenied`                    |
 * | 429, 5xx      | `Transient`                           |
 * | anything else | `StoreFailure`                        |
 */
export async function responseError(call: HttpCall, response: Response): Promise<VarveError> {
  const cause = new Error(
    `${call.method} ${call.url} answered ${response.status} ${response.statusText}: ${await bodyText(response)}`,
  )
  const { status } = response
  const target = JSON.stringify(call.target)
  const details = { ...detailsOf(call), status }

  if (status === 412 && call.operation === 'create') return alreadyExists(call.target, cause)
  if (status === 401 || status === 403) {
    return new VarveError(
      'PermissionDenied',
      `The blob service ${call.store} refused ${call.operation} of ${target} (HTTP ${status}); check the credentials your fetch sends and what they may do.`,
      { cause, details },
    )
  }
  if (status === 429 || status >= 500) {
    return new VarveError(
      'Transient',
      `The blob service ${call.store} is busy or failing (HTTP ${status}) on ${call.operation} of ${target}; retry later.`,
      { cause, details },
    )
  }
  return new VarveError(
    'StoreFailure',
    `The blob service ${call.store} answered HTTP ${status} to ${call.operation} of ${target}, which the store does not expect; the cause holds the answer.`,
    { cause, details },
  )
}

/** The facts programs read from `error.details`: named like core's own (`key`, or `prefix` for a listing). */
function detailsOf(call: HttpCall): Record<string, unknown> {
  const target = call.operation === 'list' ? { prefix: call.target } : { key: call.target }
  return { ...target, operation: call.operation }
}

// The start of the body is enough to explain a failure; a body that cannot be
// read is reported as such, since the status is what the error is about.
async function bodyText(response: Response): Promise<string> {
  try {
    const text = await response.text()
    return text.length > 500 ? `${text.slice(0, 500)}…` : text || '(empty body)'
  } catch (error) {
    return `(body unreadable: ${String(error)})`
  }
}
