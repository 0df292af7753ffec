import { VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { type RetryClock, type RetryPolicy, retryDelay, withRetry } from '../src/retry.ts'

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 }

function recordingClock(random: () => number): RetryClock & { waits: number[] } {
  const waits: number[] = []
  return { waits, random, sleep: async (ms) => void waits.push(ms) }
}

describe('retryDelay', () => {
  it('draws from 0 up to the doubling cap, never past maxDelayMs (full jitter)', () => {
    expect([1, 2, 3, 4].map((retry) => retryDelay(policy, retry, () => 0.999999))).toEqual([
      99, 199, 249, 249,
    ])
    expect([1, 2, 3].map((retry) => retryDelay(policy, retry, () => 0))).toEqual([0, 0, 0])
    for (let i = 0; i < 200; i++) {
      const delay = retryDelay(policy, 2)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(200)
    }
  })
})

describe('withRetry', () => {
  it('retries Transient failures with jittered delays and returns the first success', async () => {
    const clock = recordingClock(() => 0.5)
    let calls = 0
    const result = await withRetry(
      policy,
      async (tryNumber) => {
        calls++
        expect(tryNumber).toBe(calls)
        if (calls < 3) throw new VarveError('Transient', 'busy')
        return 'done'
      },
      clock,
    )
    expect(result).toBe('done')
    expect(calls).toBe(3)
    expect(clock.waits).toEqual([50, 100])
  })

  it('gives up after the attempts, saying how many, the last cause kept', async () => {
    const clock = recordingClock(() => 1)
    const cause = new Error('ECONNRESET')
    let calls = 0
    const error = await withRetry(
      policy,
      async () => {
        calls++
        throw new VarveError('Transient', `reset ${calls}.`, { cause, details: { key: 'k' } })
      },
      clock,
    ).catch((e: unknown) => e)
    expect(calls).toBe(4)
    expect(clock.waits).toEqual([100, 200, 250])
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as VarveError).message).toBe('reset 4. (gave up after 4 tries)')
    expect((error as VarveError).cause).toBe(cause)
    expect((error as VarveError).details).toEqual({ key: 'k', attempts: 4 })
  })

  it('never retries other errors', async () => {
    for (const thrown of [
      new VarveError('PermissionDenied', 'no'),
      new VarveError('AlreadyExists', 'taken'),
      new Error('raw'),
    ]) {
      const clock = recordingClock(Math.random)
      let calls = 0
      const error = await withRetry(
        policy,
        async () => {
          calls++
          throw thrown
        },
        clock,
      ).catch((e: unknown) => e)
      expect(error).toBe(thrown)
      expect(calls).toBe(1)
      expect(clock.waits).toEqual([])
    }
  })

  it('with one attempt, throws the first failure unchanged', async () => {
    const failure = new VarveError('Transient', 'once')
    const error = await withRetry({ ...policy, attempts: 1 }, async () => {
      throw failure
    }).catch((e: unknown) => e)
    expect(error).toBe(failure)
  })
})
