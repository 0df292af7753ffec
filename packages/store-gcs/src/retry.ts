import { VarveError } from '@varve/core'

/** How the store retries `Transient` failures. */
export interface RetryPolicy {
  /** How many times an operation is tried in all, at least 1 (1 = no retry). */
  readonly attempts: number
  /** The cap of the first delay, in milliseconds; it doubles with every attempt. */
  readonly baseDelayMs: number
  /** The cap of any delay, in milliseconds. */
  readonly maxDelayMs: number
}

/** 5 attempts; random delays below 0.25 s, 0.5 s, 1 s, 2 s between them. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ attempts: 5, baseDelayMs: 250, maxDelayMs: 8000 })

/**
 * The delay before attempt `attempt + 1`: exponential backoff with full jitter,
 * a uniform draw in `[0, min(maxDelayMs, baseDelayMs · 2^(attempt-1)))`, so that
 * clients that failed together do not retry together
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
}

/**
 * Runs `operation` (given the attempt number, from 1) until it succeeds, throws
 * anything but a `Transient` `VarveError`, or has used `policy.attempts`. The
 * last `Transient` error is rethrown, its message saying how many attempts were made.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  operation: (attempt: number) => Promise<T>,
  sleep: (ms: number) => Promise<void> = pause,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (!VarveError.is(error, 'Transient')) throw error
      if (attempt >= policy.attempts) throw attempt === 1 ? error : gaveUp(error, attempt)
      await sleep(backoffDelay(policy, attempt))
    }
  }
}

function gaveUp(error: VarveError, attempts: number): VarveError {
  return new VarveError('Transient', `${error.message} Gave up after ${attempts} attempts.`, {
    cause: error.cause,
    details: { ...error.details, attempts },
  })
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
