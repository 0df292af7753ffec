import { type ErrorCode, VarveError } from '../errors/varve-error.ts'
import type { StoreOperation } from './store.ts'

/** One kind of failure or delay a faulty store injects (see `createFaultyStore`). */
export interface FaultRule {
  /** The operations the rule applies to. Default: every operation. */
  ops?: readonly StoreOperation[]
  /**
   * The keys the rule applies to: a prefix, or a pattern a key must match.
   * Default: every key. For `list` it is tested against the listing's prefix;
   * for `delete` the rule applies when any of the keys matches.
   */
  keys?: string | RegExp
  /** The chance, from 0 to 1, that a matching call is hit. Default 1. Draws come from the store's seeded generator. */
  probability?: number
  /** Lets the first `skip` matching calls pass untouched. Default 0. */
  skip?: number
  /** Fires at most this many times. Default: no limit. */
  times?: number
  /** Delays the call by this many milliseconds, or by a uniform draw from `[min, max]`. */
  latencyMs?: number | readonly [number, number]
  /** Fails the call: a code (see `createFaultyStore` for the error raised) or a function making the error. Absent: delay only. */
  error?: ErrorCode | (() => Error)
  /**
   * When the error is thrown: `'before'` (default) in place of the inner call;
   * `'after'` once the inner call has run (the write happened, its
   * acknowledgement was lost). Requires `error`.
   */
  when?: 'before' | 'after'
}

/** A rule checked and put in the form the faulty store uses. */
export interface CompiledRule {
  readonly ops: ReadonlySet<StoreOperation> | undefined
  readonly matches: (key: string) => boolean
  readonly probability: number
  readonly skip: number
  readonly times: number
  readonly latencyMs: readonly [number, number] | undefined
  readonly error: ErrorCode | (() => Error) | undefined
  readonly when: 'before' | 'after'
}

const operations: ReadonlySet<string> = new Set<StoreOperation>([
  'get',
  'getRange',
  'put',
  'create',
  'list',
  'delete',
])

// A record, not a list, so that the compiler flags a code added to ErrorCode and missing here.
const errorCodes: Record<ErrorCode, true> = {
  NotFound: true,
  AlreadyExists: true,
  PreconditionFailed: true,
  PermissionDenied: true,
  Unsupported: true,
  Transient: true,
  InvalidKey: true,
  InvalidArgument: true,
  Integrity: true,
  FormatVersion: true,
  ReadOnly: true,
  SchemaMismatch: true,
  MergeConflict: true,
  OutOfScope: true,
  StoreFailure: true,
}

const fields: ReadonlySet<string> = new Set([
  'ops',
  'keys',
  'probability',
  'skip',
  'times',
  'latencyMs',
  'error',
  'when',
])

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0
const isDelay = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0

/** Checks `rules` and compiles them; throws `InvalidArgument` naming the rule and field at fault. */
export function compileFaultRules(rules: readonly FaultRule[]): CompiledRule[] {
  if (!Array.isArray(rules)) throw invalid('the faults must be an array of rules')
  return rules.map((rule, index) => compileRule(rule, index))
}

function compileRule(rule: FaultRule, index: number): CompiledRule {
  const fail = (problem: string) => invalid(`fault rule #${index}: ${problem}`, index)
  if (typeof rule !== 'object' || rule === null) throw fail('a rule must be an object')
  for (const field of Object.keys(rule)) {
    if (!fields.has(field))
      throw fail(`unknown field ${JSON.stringify(field)}; known: ${[...fields].join(', ')}`)
  }
  const {
    ops,
    keys,
    probability = 1,
    skip = 0,
    times = Number.POSITIVE_INFINITY,
    latencyMs,
    error,
    when,
  } = rule

  if (ops !== undefined) {
    if (!Array.isArray(ops) || ops.length === 0 || !ops.every((op) => operations.has(op))) {
      throw fail(
        `ops must be a non-empty array of ${[...operations].join(', ')} (omit it for every operation)`,
      )
    }
  }
  if (keys !== undefined && typeof keys !== 'string' && !(keys instanceof RegExp)) {
    throw fail('keys must be a key prefix (string) or a RegExp')
  }
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
    throw fail(`probability must be a number from 0 to 1, got ${String(probability)}`)
  }
  if (!isCount(skip)) throw fail(`skip must be a whole number ≥ 0, got ${String(skip)}`)
  if (times !== Number.POSITIVE_INFINITY && !isCount(times)) {
    throw fail(`times must be a whole number ≥ 0, got ${String(times)}`)
  }
  if (error !== undefined && typeof error !== 'function' && !Object.hasOwn(errorCodes, error)) {
    throw fail(
      `error must be an error code (${Object.keys(errorCodes).join(', ')}) or a function returning an Error`,
    )
  }
  if (when !== undefined && when !== 'before' && when !== 'after')
    throw fail("when must be 'before' or 'after'")
  if (when === 'after' && error === undefined)
    throw fail("when: 'after' needs an error to throw after the call")
  if (error === undefined && latencyMs === undefined)
    throw fail('a rule needs an error, a latencyMs, or both')

  return {
    ops: ops && new Set(ops),
    matches: keyMatcher(keys),
    probability,
    skip,
    times,
    latencyMs: latencyMs === undefined ? undefined : delayRange(latencyMs, fail),
    error,
    when: when ?? 'before',
  }
}

function keyMatcher(keys: string | RegExp | undefined): (key: string) => boolean {
  if (keys === undefined) return () => true
  if (typeof keys === 'string') return (key) => key.startsWith(keys)
  // Without the g and y flags, test() keeps no lastIndex between calls.
  const pattern = new RegExp(keys.source, keys.flags.replace(/[gy]/g, ''))
  return (key) => pattern.test(key)
}

function delayRange(latencyMs: number | readonly [number, number], fail: (problem: string) => VarveError) {
  if (isDelay(latencyMs)) return [latencyMs, latencyMs] as const
  if (Array.isArray(latencyMs) && latencyMs.length === 2) {
    const [min, max] = latencyMs
    if (isDelay(min) && isDelay(max) && min <= max) return [min, max] as const
  }
  throw fail('latencyMs must be milliseconds ≥ 0, or a range [min, max] with 0 ≤ min ≤ max')
}

function invalid(problem: string, rule?: number): VarveError {
  return new VarveError(
    'InvalidArgument',
    `Invalid ${problem}.`,
    rule === undefined ? {} : { details: { rule } },
  )
}
