import type { ErrorCode } from '@varve/core'

/** A command line the parser refused: unknown command or option, missing argument. */
export const USAGE_EXIT = 2
/** Anything that is not a VarveError: a bug, or a failure outside Varve. */
export const INTERNAL_EXIT = 1
/** Interrupted by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130

/**
 * The exit status of each VarveError code: one per family, so a script can
 * tell "retry later" (Transient) from "fix the input" (InvalidArgument) from
 * "nothing there" (NotFound). Documented in the README; never renumbered.
 */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  InvalidArgument: 3,
  InvalidKey: 3,
  NotFound: 4,
  AlreadyExists: 5,
  PreconditionFailed: 6,
  PermissionDenied: 7,
  Unsupported: 8,
  Transient: 9,
  Integrity: 10,
  FormatVersion: 11,
  SchemaMismatch: 12,
  MergeConflict: 13,
  ReadOnly: 14,
  StoreFailure: 15,
  OutOfScope: 16,
}
