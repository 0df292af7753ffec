import { type ErrorCode, VarveError } from '@varve/core'
import { bytesEqual, describeBytes } from './bytes.ts'

/** A store fell short of the contract. Thrown by the checks, never by a store. */
export class ConformanceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConformanceError'
  }
}

/** Fails with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new ConformanceError(typeof message === 'string' ? message : message())
}

/** Fails unless `actual` is a Uint8Array holding exactly the bytes of `expected`. */
export function ensureBytes(
  actual: unknown,
  expected: Uint8Array,
  what: string,
): asserts actual is Uint8Array {
  ensure(
    actual instanceof Uint8Array,
    () => `${what}: expected ${describeBytes(expected)}, got ${describeBytes(actual)}`,
  )
  if (bytesEqual(actual, expected)) return
  let at = 0
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++
  throw new ConformanceError(
    `${what}: expected ${describeBytes(expected)}, got ${describeBytes(actual)}; they differ from byte ${at}`,
  )
}

/** Fails unless the two key lists are equal, element by element and in order. */
export function ensureKeys(actual: readonly string[], expected: readonly string[], what: string): void {
  const at = actual.findIndex((key, index) => key !== expected[index])
  if (at === -1 && actual.length === expected.length) return
  const index = at === -1 ? Math.min(actual.length, expected.length) : at
  throw new ConformanceError(
    `${what}: expected ${expected.length} keys, got ${actual.length}; first difference at position ${index}: ` +
      `expected ${JSON.stringify(expected[index])}, got ${JSON.stringify(actual[index])}`,
  )
}

/** Human words for a list of codes: `AlreadyExists or PreconditionFailed`. */
function codeList(codes: readonly ErrorCode[]): string {
  return codes.join(' or ')
}

/**
 * Runs `action` and fails unless it throws a VarveError with one of `codes`; returns that error.
 * A `ConformanceError` from inside (e.g. the store threw something that is not a VarveError) passes through.
 */
export async function ensureRejects(
  action: () => Promise<unknown>,
  codes: readonly ErrorCode[],
  what: string,
): Promise<VarveError> {
  let outcome: unknown
  try {
    outcome = await action()
  } catch (error) {
    if (error instanceof ConformanceError) throw error
    if (VarveError.is(error) && codes.includes(error.code)) return error
    const got = VarveError.is(error) ? `VarveError ${error.code}: ${error.message}` : String(error)
    throw new ConformanceError(`${what}: expected a VarveError ${codeList(codes)}, got ${got}`, {
      cause: error,
    })
  }
  throw new ConformanceError(
    `${what}: expected a VarveError ${codeList(codes)}, but it succeeded` +
      (outcome === undefined ? '' : ` and returned ${describeBytes(outcome)}`),
  )
}
