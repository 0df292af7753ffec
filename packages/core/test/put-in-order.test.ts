import { describe, expect, it } from 'vitest'
import { putInOrder } from '../src/sync/put-in-order.ts'

const tick = () => new Promise((resolve) => setImmediate(resolve))

/** Puts that finish when the test says, recording the order they start and land in. */
function controlledPuts(names: readonly string[]) {
  const started: string[] = []
  const landed: string[] = []
  const pending = new Map<string, { resolve: () => void; reject: (error: Error) => void }>()
  let running = 0
  let most = 0
  const put = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const name = names[index]!
      started.push(name)
      most = Math.max(most, ++running)
      pending.set(name, {
        resolve: () => {
          running--
          landed.push(name)
          resolve()
        },
        reject: (error) => {
          running--
          reject(error)
        },
      })
    })
  const finish = async (name: string, error?: Error) => {
    await tick()
    const p = pending.get(name)!
    pending.delete(name)
    if (error) p.reject(error)
    else p.resolve()
    await tick()
  }
  return { put, finish, started, landed, most: () => most }
}

describe('putInOrder', () => {
  it('puts an object once what it points at landed, not once its whole level did', async () => {
    // Two chunks, a series index on the first one, a tree node on the index.
    const objects = [
      { hash: 'c1' },
      { hash: 'c2' },
      { hash: 's1', pointsAt: ['c1', 'elsewhere'] },
      { hash: 'n1', pointsAt: ['s1'] },
    ]
    const { put, finish, started, landed, most } = controlledPuts(objects.map((o) => o.hash))
    const done = putInOrder(objects, 2, put)
    await tick()
    expect(started).toEqual(['c1', 'c2'])
    await finish('c1')
    // c2 still running: s1 takes the free slot at once.
    expect(started).toEqual(['c1', 'c2', 's1'])
    await finish('s1')
    expect(started).toEqual(['c1', 'c2', 's1', 'n1'])
    await finish('n1')
    await finish('c2')
    await done
    expect(landed).toEqual(['c1', 's1', 'n1', 'c2'])
    expect(most()).toBe(2)
  })

  it('after a failure starts no put, never one pointing at the failed object, and rejects with it', async () => {
    const objects = [{ hash: 'c1' }, { hash: 'c2' }, { hash: 's1', pointsAt: ['c1'] }, { hash: 'c3' }]
    const { put, finish, started } = controlledPuts(objects.map((o) => o.hash))
    const done = putInOrder(objects, 2, put)
    done.catch(() => undefined)
    await tick()
    await finish('c1', new Error('c1 failed'))
    await finish('c2')
    await expect(done).rejects.toThrow('c1 failed')
    expect(started).toEqual(['c1', 'c2'])
  })
})
