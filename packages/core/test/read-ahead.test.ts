import { describe, expect, it } from 'vitest'
import { createLimiter } from '../src/util/limiter.ts'
import { readAhead } from '../src/util/read-ahead.ts'

/** A fetch that resolves when the test says, recording what ran and the most running at once. */
function controlledFetch() {
  const pending = new Map<number, { resolve: (value: string) => void; reject: (error: Error) => void }>()
  const started: number[] = []
  let running = 0
  let most = 0
  const fetch = (index: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(index)
      running++
      most = Math.max(most, running)
      pending.set(index, {
        resolve: (value) => {
          running--
          resolve(value)
        },
        reject: (error) => {
          running--
          reject(error)
        },
      })
    })
  const settle = async (index: number, error?: Error) => {
    await new Promise((r) => setImmediate(r))
    const p = pending.get(index)!
    pending.delete(index)
    if (error) p.reject(error)
    else p.resolve(`item ${index}`)
    await new Promise((r) => setImmediate(r))
  }
  return { fetch, settle, started, most: () => most }
}

describe('readAhead', () => {
  it('starts the items past the one asked for, each handed out once; a limiter bounds how many run', async () => {
    const { fetch, settle, started, most } = controlledFetch()
    const limited = createLimiter(2)
    const get = readAhead(10, 3, (i) => limited(() => fetch(i)))
    const first = get(0)
    await new Promise((r) => setImmediate(r))
    // Items 0..3 asked for or ahead, two of them running.
    expect(started).toEqual([0, 1])
    await settle(0)
    expect(await first).toBe('item 0')
    expect(started).toEqual([0, 1, 2])
    const second = get(1)
    await settle(1)
    expect(await second).toBe('item 1')
    expect(started).toEqual([0, 1, 2, 3])
    for (let i = 2; i < 10; i++) {
      const item = get(i)
      await settle(i)
      expect(await item).toBe(`item ${i}`)
    }
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(most()).toBe(2)
  })

  it('reports a failure to whoever asks for that item only', async () => {
    const { fetch, settle } = controlledFetch()
    const get = readAhead(3, 2, fetch)
    const first = get(0)
    await settle(0)
    await settle(1, new Error('item 1 is gone'))
    await settle(2)
    expect(await first).toBe('item 0')
    await expect(get(1)).rejects.toThrow('item 1 is gone')
    expect(await get(2)).toBe('item 2')
  })
})

describe('createLimiter', () => {
  it('runs at most `limit` tasks at once, the others in the order they came, also after failures', async () => {
    const { fetch, settle, started, most } = controlledFetch()
    const limited = createLimiter(2)
    const results = [0, 1, 2, 3, 4].map((i) => limited(() => fetch(i)))
    for (const r of results) r.catch(() => undefined)
    await new Promise((r) => setImmediate(r))
    expect(started).toEqual([0, 1])
    await settle(1, new Error('one failed'))
    expect(started).toEqual([0, 1, 2])
    await settle(0)
    await settle(2)
    await settle(3)
    await settle(4)
    expect(started).toEqual([0, 1, 2, 3, 4])
    expect(most()).toBe(2)
    await expect(results[1]).rejects.toThrow('one failed')
    expect(await results[4]).toBe('item 4')
  })
})
