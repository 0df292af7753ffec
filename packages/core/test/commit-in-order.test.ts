import { createMemoryStore, Repo, Schema, type Store, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import type { CreateEntry } from '../src/store/store.ts'

const schema = new Schema({ time: 'timestamp*', value: 'float64' })

interface Call {
  readonly levels: readonly (readonly string[])[]
}

/**
 * A memory store with a `createInOrder` of its own, as the fs store has:
 * level by level, each level's entries at once. `failAtLevel` makes the call
 * fail once that level is reached (its objects and the later levels unwritten).
 */
function orderedStore(): { store: Store; calls: Call[]; failAtLevel: { level?: number } } {
  const memory = createMemoryStore()
  const calls: Call[] = []
  const failAtLevel: { level?: number } = {}
  const store: Store = {
    ...memory,
    async createInOrder(levels: readonly (readonly CreateEntry[])[]) {
      calls.push({ levels: levels.map((level) => level.map(([key]) => key)) })
      const landed: boolean[][] = []
      for (const [i, level] of levels.entries()) {
        if (failAtLevel.level === i) throw new VarveError('Transient', 'the store went away')
        landed.push(
          await Promise.all(
            level.map(async ([key, data]) => {
              if ((await memory.get(key)) !== undefined) return false
              await memory.create(key, typeof data === 'function' ? await data() : data)
              return true
            }),
          ),
        )
      }
      return landed
    },
  }
  return { store, calls, failAtLevel }
}

const rows = (start: number, count: number) => ({
  time: Array.from({ length: count }, (_, i) => new Date(Date.UTC(2024, 0, 1) + (start + i) * 60_000)),
  value: Array.from({ length: count }, (_, i) => start + i + 0.5),
})

describe('a commit on a store with createInOrder', () => {
  it('lands the data objects as one level and the revision alone after them, in one call', async () => {
    const { store, calls } = orderedStore()
    const repo = await Repo.open(store, { cache: { memoryBytes: 0 } })
    const collection = await repo.createCollection('prices', schema)
    calls.length = 0
    await collection.series('a').write(rows(0, 100))
    expect(calls).toHaveLength(1)
    const [objects, revision] = calls[0]!.levels
    expect(calls[0]!.levels).toHaveLength(2)
    // A chunk, the series index and the tree root, each once.
    expect(objects).toHaveLength(3)
    expect(new Set(objects).size).toBe(3)
    expect(objects!.every((key) => key.startsWith('objects/'))).toBe(true)
    expect(revision).toHaveLength(1)
    expect(revision![0]).toMatch(/^revisions\//)

    const reopened = (await (await Repo.open(store, { cache: { memoryBytes: 0 } })).collection('prices'))!
    const frame = await reopened.series('a').read()
    expect(Array.from(frame.columns.value as Float64Array)).toEqual(rows(0, 100).value)
    expect(await reopened.log()).toHaveLength(1)
  })

  it('a batch of series writes all its objects in the first level', async () => {
    const { store, calls } = orderedStore()
    const collection = await (await Repo.open(store)).createCollection('prices', schema)
    calls.length = 0
    await collection.write({ a: rows(0, 10), b: rows(5, 10), c: rows(9, 3) })
    expect(calls).toHaveLength(1)
    // Three chunks, three series indexes, one tree root.
    expect(calls[0]!.levels[0]).toHaveLength(7)
    expect(calls[0]!.levels[1]).toHaveLength(1)
  })

  it('a failure before the revision level leaves the previous state, and the next write succeeds', async () => {
    const { store, failAtLevel } = orderedStore()
    const collection = await (await Repo.open(store)).createCollection('prices', schema)
    await collection.series('a').write(rows(0, 10))
    failAtLevel.level = 1
    await expect(collection.series('a').write(rows(10, 10))).rejects.toThrow(/went away/)
    const fresh = async () =>
      (await (await Repo.open(store, { cache: { memoryBytes: 0 } })).collection('prices'))!
    expect((await (await fresh()).series('a').read()).length).toBe(10)
    expect(await (await fresh()).log()).toHaveLength(1)

    delete failAtLevel.level
    await collection.series('a').write(rows(10, 10))
    expect((await (await fresh()).series('a').read()).length).toBe(20)
  })

  it('refuses to take a revision key that holds other bytes', async () => {
    const { store } = orderedStore()
    const collection = await (await Repo.open(store)).createCollection('prices', schema)
    const taken: Store = {
      ...store,
      // Every create "finds" its key taken by something else.
      createInOrder: async (levels) => levels.map((level) => level.map(() => false)),
    }
    const other = (await (await Repo.open(taken)).collection('prices'))!
    const error = await other
      .series('a')
      .write(rows(0, 3))
      .catch((e: unknown) => e)
    expect(VarveError.is(error, 'Integrity')).toBe(true)
    expect((error as Error).message).toMatch(/already exists with other bytes/)
    expect(await collection.log()).toHaveLength(0)
  })
})
