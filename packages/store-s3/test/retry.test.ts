import { VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { backoffDelay, defaultRetry, resolveRetry, retryUncertainWrite, withRetry } from '../src/retry.ts'

const fast = resolveRetry({ maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 })
const transient = (n: number) => new VarveError('Transient', `flaky ${n}`, { cause: new Error(`cause ${n}`) })
const asIs = (error: unknown) => error as VarveError

describe('backoffDelay', () => {
  it('draws from [0, base · 2^(n-1)], capped: full jitter', () => {
    const policy = resolveRetry({ baseDelayMs: 100, maxDelayMs: 1000 })
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(99)
    expect(backoffDelay(policy, 3, () => 0.999)).toBe(399)
    expect(backoffDelay(policy, 10, () => 0.999)).toBe(999)
    expect(backoffDelay(policy, 10, () => 0)).toBe(0)
  })
})

describe('resolveRetry', () => {
  it('fills in the defaults and refuses malformed policies', () => {
    expect(resolveRetry({})).toEqual(defaultRetry)
    expect(resolveRetry({ maxAttempts: 2 })).toEqual({ ...defaultRetry, maxAttempts: 2 })
    for (const bad of [
      { maxAttempts: 0 },
      { maxAttempts: 1.5 },
      { baseDelayMs: -1 },
      { maxDelayMs: Number.NaN },
    ]) {
      expect(() => resolveRetry(bad)).toThrowError(/Invalid S3 store retry options/)
    }
  })
})

describe('withRetry', () => {
  it('retries Transient failures and returns the first success', async () => {
    let calls = 0
    const result = await withRetry(
      fast,
      async () => {
        calls++
        if (calls < 3) throw transient(calls)
        return 'done'
      },
      asIs,
    )
    expect([result, calls]).toEqual(['done', 3])
  })

  it('stops at maxAttempts and says so, keeping the last cause', async () => {
    let calls = 0
    const error = await withRetry(
      fast,
      async () => {
        throw transient(++calls)
      },
      asIs,
    ).catch((e: unknown) => e as VarveError)
    expect(calls).toBe(4)
    expect(error.code).toBe('Transient')
    expect(error.message).toBe('flaky 4 (Gave up after 4 attempts.)')
    expect((error.cause as Error).message).toBe('cause 4')
    expect(error.details).toMatchObject({ attempts: 4 })
  })

  it('never retries other failures', async () => {
    let calls = 0
    const denied = new VarveError('PermissionDenied', 'no')
    await expect(
      withRetry(
        fast,
        async () => {
          calls++
          throw denied
        },
        asIs,
      ),
    ).rejects.toBe(denied)
    expect(calls).toBe(1)
  })
})

describe('retryUncertainWrite', () => {
  const refusal = new Error('412')
  const lost = new Error('connection reset')
  const write = (outcomes: unknown[], stored: boolean) => {
    let reads = 0
    const run = retryUncertainWrite(fast, {
      attempt: async () => {
        const outcome = outcomes.shift()
        if (outcome !== undefined) throw outcome
      },
      translate: (error) => (error === lost ? transient(0) : new VarveError('StoreFailure', 'other')),
      isRefusal: (error) => error === refusal,
      refused: () => new VarveError('AlreadyExists', 'taken'),
      mayHaveLanded: (error) => error === lost,
      landed: async () => {
        reads++
        return stored
      },
    })
    return { run, reads: () => reads }
  }

  it('a refusal on the first attempt is refused without reading the object back', async () => {
    const { run, reads } = write([refusal], true)
    await expect(run).rejects.toMatchObject({ code: 'AlreadyExists' })
    expect(reads()).toBe(0)
  })

  it('a refusal after a lost response reads back: our bytes mean success', async () => {
    const { run, reads } = write([lost, refusal], true)
    await expect(run).resolves.toBeUndefined()
    expect(reads()).toBe(1)
  })

  it('a refusal after a lost response reads back: other bytes mean refused', async () => {
    const { run } = write([lost, refusal], false)
    await expect(run).rejects.toMatchObject({ code: 'AlreadyExists' })
  })
})
