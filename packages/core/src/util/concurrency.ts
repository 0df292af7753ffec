import { VarveError } from '../errors/varve-error.ts'

/** How many requests a copy or an ordered create runs at once unless told otherwise. */
export const DEFAULT_CONCURRENCY = 8

/** `concurrency`, or the default when undefined; throws `InvalidArgument` unless it is a whole number ≥ 1. */
export function validateConcurrency(concurrency: number | undefined): number {
  const value = concurrency ?? DEFAULT_CONCURRENCY
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new VarveError(
      'InvalidArgument',
      `concurrency must be a whole number ≥ 1, got ${JSON.stringify(value)}.`,
    )
  }
  return value
}
