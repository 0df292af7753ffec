/**
 * The stable codes of every error Varve raises. Codes never change meaning;
 * new ones may be added.
 */
export type ErrorCode =
  /** An object, collection, series or revision that was asked for does not exist. */
  | 'NotFound'
  /** A create-only write found the key (or name) already taken. */
  | 'AlreadyExists'
  /** A conditional request lost: the object changed (or appeared) since it was read; or an operation's precondition does not hold (a collection still published as a dataset). */
  | 'PreconditionFailed'
  /** The backend refused the credentials or the operation. */
  | 'PermissionDenied'
  /** The store (or this build) cannot do what was asked; see its capabilities. */
  | 'Unsupported'
  /** A passing failure (throttling, timeout, connection reset): the same call may succeed later. */
  | 'Transient'
  /** A store key breaks the key rules (see `validateKey`). */
  | 'InvalidKey'
  /** An argument is malformed or out of range; nothing was written. */
  | 'InvalidArgument'
  /** Stored bytes do not match their hash or cannot be decoded: corruption or truncation. */
  | 'Integrity'
  /** The repository was written by a newer (or unknown) storage format. */
  | 'FormatVersion'
  /** Two sides of a push, pull or merge disagree on a collection's schema; nothing was copied. */
  | 'SchemaMismatch'
  /** A merge with strategy 'fail' found series both sides changed differently; nothing was written. */
  | 'MergeConflict'
  /** A write to a read-only view (the past, or a replica); the message says how to get a writable one. */
  | 'ReadOnly'
  /** A read of a scoped view (a dataset, a partial replica) asked for a series or an index range outside it; the message says what the view holds. */
  | 'OutOfScope'
  /** Any other failure of the backend; the cause says what happened. */
  | 'StoreFailure'

const brand = Symbol.for('varve.error')

export interface VarveErrorOptions {
  cause?: unknown
  /** Structured facts about the failure (key, column, row, ...) for programs. */
  details?: Record<string, unknown>
}

/**
 * The one error family of Varve. Check with `VarveError.is(error, 'NotFound')`,
 * which works across duplicate installs of the package (the brand is a global
 * symbol, not a class identity).
 */
export class VarveError extends Error {
  readonly code: ErrorCode
  readonly details: Readonly<Record<string, unknown>>
  readonly [brand] = true

  constructor(code: ErrorCode, message: string, options: VarveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'VarveError'
    this.code = code
    this.details = Object.freeze({ ...options.details })
  }

  /** True when `error` is a Varve error, and, if `code` is given, one with that code. */
  static is(error: unknown, code?: ErrorCode): error is VarveError {
    if (typeof error !== 'object' || error === null) return false
    if ((error as Record<symbol, unknown>)[brand] !== true) return false
    return code === undefined || (error as VarveError).code === code
  }
}
