import { setTimeout as sleep } from 'node:timers/promises'
import { VarveError } from '@varve/core'

/** How the store retries `Transient` failures (throttling, 5xx, timeouts, connection resets). */
export interface RetryOptions {
  /** Attempts per request, the first included. Default 5; 1 turns retries off. */
  maxAttempts?: number
  /** The backoff before the second attempt is drawn from [0, baseDelayMs]; it doubles with each attempt. Default 100. */
  baseDelayMs?: number
  /** The cap of that doubling range. Default 5000. */
  maxDelayMs?: number
}

export type RetryPolicy = Readonly<Required<RetryOptions>>

export const defaultRetry: RetryPolicy = Object.freeze({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000 })

/** Fills in the defaults; throws `InvalidArgument` for a malformed policy. */
export function resolveRetry(options: RetryOptions): RetryPolicy {
  if (typeof options !== 'object' || options === null) {
    throw new VarveError(
      'InvalidArgument',
      'The S3 store option retry must be an object such as { maxAttempts: 5 }.',
    )
  }
  const policy = { ...defaultRetry, ...options }
  const whole = (n: number, min: number) => Number.isSafeInteger(n) && n >= min
  if (!whole(policy.maxAttempts, 1) || !whole(policy.baseDelayMs, 0) || !whole(policy.maxDelayMs, 0)) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid S3 store retry options ${JSON.stringify(options)}: maxAttempts must be a whole number ≥ 1, ` +
        'baseDelayMs and maxDelayMs whole numbers of milliseconds ≥ 0.',
    )
  }
  return Object.freeze(policy)
}

/**
 * The pause after `failures` failed attempts: "full jitter", a uniform draw from
 * [0, min(maxDelayMs, baseDelayMs · 2^(failures-1))], which spreads the retries
 * of many clients hitting one throttled prefix.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(
  policy: RetryPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1))
  return Math.floor(random() * ceiling)
}

/**
 * Runs `attempt` until it succeeds, retrying while `translate` makes its error
 * `Transient`, at most `policy.maxAttempts` times. Throws the translated error
 * of the last attempt. Only for idempotent requests.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  translate: (error: unknown) => VarveError,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (error) {
      const failure = translate(error)
      if (failure.code !== 'Transient' || n >= policy.maxAttempts) throw gaveUp(failure, n)
      await sleep(backoffDelay(policy, n))
    }
  }
}

/** How to retry a write that a retry may find already done (a conditional create, the completion of a multipart upload). */
export interface UncertainWrite {
  readonly attempt: () => Promise<void>
  readonly translate: (error: unknown) => VarveError
  /** The error a retry gets when an earlier attempt landed: for a create, the key is taken. */
  readonly isRefusal: (error: unknown) => boolean
  /** What to throw for a refusal that is not our own earlier attempt. */
  readonly refused: (error: unknown) => VarveError
  /** True when a failed attempt may have written anyway (the response was lost, not refused). */
  readonly mayHaveLanded: (error: unknown) => boolean
  /** True when the stored object is the one this write sends (reads it back and compares bytes). */
  readonly landed: () => Promise<boolean>
}

/**
 * Like {@link withRetry}, for a write whose retry is not idempotent: when an
 * attempt may have landed but its response was lost, a later refusal could be
 * our own write's doing. Then, and only then, the stored bytes decide: ours
 * means success, anything else means someone else won.
 */
export async function retryUncertainWrite(policy: RetryPolicy, write: UncertainWrite): Promise<void> {
  let uncertain = false
  for (let n = 1; ; n++) {
    try {
      return await write.attempt()
    } catch (error) {
      if (write.isRefusal(error)) {
        if ((uncertain || write.mayHaveLanded(error)) && (await write.landed())) return
        throw write.refused(error)
      }
      const failure = write.translate(error)
      if (failure.code !== 'Transient' || n >= policy.maxAttempts) throw gaveUp(failure, n)
      uncertain ||= write.mayHaveLanded(error)
      await sleep(backoffDelay(policy, n))
    }
  }
}

function gaveUp(failure: VarveError, attempts: number): VarveError {
  if (failure.code !== 'Transient' || attempts === 1) return failure
  return new VarveError('Transient', `${failure.message} (Gave up after ${attempts} attempts.)`, {
    cause: failure.cause,
    details: { ...failure.details, attempts },
  })
}
