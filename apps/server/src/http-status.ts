import { type ErrorCode, VarveError } from '@varve/core'

const statusOf: Partial<Record<ErrorCode, number>> = {
  InvalidArgument: 400,
  InvalidKey: 400,
  OutOfScope: 400,
  NotFound: 404,
  AlreadyExists: 412,
  PreconditionFailed: 412,
  PermissionDenied: 403,
  ReadOnly: 403,
  Unsupported: 501,
  Transient: 503,
}

/**
 * The HTTP status and JSON body that answer an error: a `VarveError`'s code maps to a status,
 * anything else is 500. A 5xx answer keeps the code but not the message, which may name local
 * folders, buckets or hosts: it says the log holds the cause under `requestId`.
 */
export function errorAnswer(
  error: unknown,
  requestId: string,
): {
  status: number
  body: { error: { code: string; message: string } }
} {
  if (VarveError.is(error)) {
    const status = statusOf[error.code] ?? 500
    const message = status >= 500 ? serverFailed(status, requestId) : error.message
    return { status, body: { error: { code: error.code, message } } }
  }
  const status = (error as { statusCode?: unknown })?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'InvalidArgument', message: String((error as Error).message) } } }
  }
  return { status: 500, body: { error: { code: 'StoreFailure', message: serverFailed(500, requestId) } } }
}

function serverFailed(status: number, requestId: string): string {
  const retry = status === 503 ? ' Retry shortly.' : ''
  return `The server failed; its log holds the cause (request ${requestId}).${retry}`
}

/** A 400 error for a request the server refuses before it reaches the repository. */
export function badRequest(message: string): VarveError {
  return new VarveError('InvalidArgument', message)
}
