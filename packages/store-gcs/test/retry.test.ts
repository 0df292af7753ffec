import { VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { backoffDelay, DEFAULT_RETRY, withRetry } from '../src/retry.ts'

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 }
const transient = () =>
  new VarveError('Transient', 'Could not read "k" in gs://b: socket hang up.', { cause: 'c' })

describe('withRetry', () => {
  it('retries Transient failures until one attempt succeeds, sleeping between attempts', async () => {
    const sleeps: number[] = []
    let calls = 0
    const result = await withRetry(
      policy,
      async (attempt) => {
        calls++
        expect(attempt).toBe(calls)
        if (attempt < 3) throw transient()
        return 'done'
      },
      async (ms) => {
        sleeps.push(ms)
      },
    )
    expect(result).toBe('done')
    expect(calls).toBe(3)
    expect(sleeps).toHaveLength(2)
    expect(sleeps[0]).toBeLessThan(100)
    expect(sleeps[1]).toBeLessThan(200)
  })

  it('gives up after the last attempt, saying how many were made, cause and details kept', async () => {
    let calls = 0
    const error = await withRetry(
      policy,
      async () => {
        calls++
        throw transient()
      },
      async () => {},
    ).catch((e: unknown) => e)
    expect(calls).toBe(4)
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as Error).message).toBe(
      'Could not read "k" in gs://b: socket hang up. Gave up after 4 attempts.',
    )
    expect((error as Error).cause).toBe('c')
    expect((error as VarveError).details).toEqual({ attempts: 4 })
  })

  it('does not retry other failures, nor anything with a single attempt', async () => {
    for (const [attempts, failure] of [
      [4, new VarveError('PermissionDenied', 'no')],
      [4, new Error('raw')],
      [1, transient()],
    ] as const) {
      let calls = 0
      const error = await withRetry({ ...policy, attempts }, async () => {
        calls++
        throw failure
      }).catch((e: unknown) => e)
      expect(error).toBe(failure)
      expect(calls).toBe(1)
    }
  })
})

describe('backoffDelay', () => {
  it('draws uniformly below a cap that doubles per attempt up to maxDelayMs (full jitter)', () => {
    expect(backoffDelay(policy, 1, () => 0.999)).toBeCloseTo(99.9)
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(100)
    expect(backoffDelay(policy, 3, () => 0.999)).toBeCloseTo(299.7)
    expect(backoffDelay(policy, 10, () => 0.5)).toBe(150)
    expect(backoffDelay(policy, 1, () => 0)).toBe(0)
  })

  it('defaults to 5 attempts with delays capped at 0.25, 0.5, 1 and 2 s', () => {
    expect(DEFAULT_RETRY).toEqual({ attempts: 5, baseDelayMs: 250, maxDelayMs: 8000 })
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(DEFAULT_RETRY, attempt, () => 1))).toEqual([
      250, 500, 1000, 2000,
    ])
  })
})
