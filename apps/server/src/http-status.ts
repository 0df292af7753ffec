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

/** The HTTP status and JSON body that answer an error: a `VarveError`'s code maps to a status, anything else is 500. */
export function errorAnswer(error: unknown): {
  status: number
  body: { error: { code: string; message: string } }
} {
  if (VarveError.is(error)) {
    return {
      status: statusOf[error.code] ?? 500,
      body: { error: { code: error.code, message: error.message } },
    }
  }
  const status = (error as { statusCode?: unknown })?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'InvalidArgument', message: String((error as Error).message) } } }
  }
  return {
    status: 500,
    body: { error: { code: 'StoreFailure', message: 'The server failed; its log holds the cause.' } },
  }
}

/** A 400 error for a request the server refuses before it reaches the repository. */
export function badRequest(message: string): VarveError {
  return new VarveError('InvalidArgument', message)
}
