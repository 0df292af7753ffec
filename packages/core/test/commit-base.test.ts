import { createMemoryStore, Repo, Schema, type Store } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ time: 'timestamp*', value: 'float64' })

const rows = (start: number, count: number) => ({
  time: Array.from({ length: count }, (_, i) => new Date(Date.UTC(2024, 0, 1) + (start + i) * 60_000)),
  value: Array.from({ length: count }, (_, i) => start + i + 0.25),
})

/** A store whose listings can be held back, so that a commit's work runs while its listing is pending. */
function slowListings(store: Store): { store: Store; hold: () => () => void } {
  let gate: Promise<void> | undefined
  return {
    store: {
      ...store,
      async *list(prefix) {
        await gate
        yield* store.list(prefix)
      },
    },
    hold: () => {
      let open!: () => void
      gate = new Promise((resolve) => {
        open = resolve
      })
      return () => {
        gate = undefined
        open()
      }
    },
  }
}

describe('a commit builds on the latest head', () => {
  it('keeps what another writer committed since this one last committed', async () => {
    const memory = createMemoryStore()
    const a = await (await Repo.open(memory)).createCollection('prices', schema)
    await a.series('x').write(rows(0, 10))
    const b = (await (await Repo.open(memory)).collection('prices'))!
    await b.series('y').write(rows(0, 5))
    // a last committed before b: its next commit must build on b's revision, not its own.
    await a.series('x').write(rows(10, 10))
    const reader = (await (await Repo.open(memory)).collection('prices'))!
    expect((await reader.series('y').read()).length).toBe(5)
    expect((await reader.series('x').read()).length).toBe(20)
    const log = await reader.log()
    expect(log).toHaveLength(3)
    expect(log[2]!.parents).toEqual([log[1]!.id])
  })

  it('does the work of a commit while the listing of the changelog runs, and keeps it', async () => {
    const { store, hold } = slowListings(createMemoryStore())
    let puts = 0
    const counted: Store = {
      ...store,
      async put(key, bytes) {
        puts++
        await store.put(key, bytes)
      },
    }
    const collection = await (await Repo.open(counted, { cache: { memoryBytes: 0 } })).createCollection(
      'prices',
      schema,
    )
    await collection.series('x').write(rows(0, 10))
    const release = hold()
    puts = 0
    const writing = collection.series('x').write(rows(10, 10))
    // Not yet listed, already written: the chunk, the series index and the tree root.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(puts).toBe(3)
    release()
    await writing
    expect(puts).toBe(3)
    expect((await collection.series('x').read()).length).toBe(20)
  })
})
