import { VarveError } from '@varve/core'

/** How transient failures are retried. */
export interface RetryPolicy {
  /** Tries in all, the first included (1 turns retries off). */
  readonly attempts: number
  /** The delay cap of the first retry; it doubles for each further retry. */
  readonly baseDelayMs: number
  /** No delay cap grows past this. */
  readonly maxDelayMs: number
}

/** Where the delays come from; tests replace them. */
export interface RetryClock {
  readonly random: () => number
  readonly sleep: (ms: number) => Promise<void>
}

const realClock: RetryClock = {
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * The delay before retry number `retry` (from 1): "full jitter", a random time
 * between 0 and min(maxDelayMs, baseDelayMs · 2^(retry − 1)), which spreads
 * clients that failed together instead of retrying them in lock-step
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  return Math.floor(random() * cap)
}

/**
 * Runs `attempt` until it resolves, retrying only `Transient` Varve errors, at
 * most `policy.attempts` tries in all. Any other error ends at once. When the
 * tries run out, the last error is thrown with the count in its message and
 * details (`attempts`).
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: (tryNumber: number) => Promise<T>,
  clock: RetryClock = realClock,
): Promise<T> {
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await attempt(tryNumber)
    } catch (error) {
      if (!VarveError.is(error, 'Transient')) throw error
      if (tryNumber >= policy.attempts) throw gaveUp(error, tryNumber)
      await clock.sleep(retryDelay(policy, tryNumber, clock.random))
    }
  }
}

function gaveUp(error: VarveError, tries: number): VarveError {
  if (tries === 1) return error
  return new VarveError(error.code, `${error.message} (gave up after ${tries} tries)`, {
    cause: error.cause,
    details: { ...error.details, attempts: tries },
  })
}
