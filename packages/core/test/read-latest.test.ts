import { createMemoryStore, Repo, Schema, type Store } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const rows = (values: number[]) => ({
  timestamp: values.map((_, i) => 1_600_000_000_000 + i * 1000),
  value: values,
})

/** Two Repos on one store, without memory caches: a reader and another process's writer. */
async function setup() {
  const store = createMemoryStore()
  const open = async () => (await Repo.open(store, { cache: { memoryBytes: 0 } })).collection('c')
  await (await Repo.open(store)).createCollection('c', schema)
  const reader = (await open())!
  const writer = (await open())!
  const values = async () => [...((await reader.series('a').read()).column('value') as Float64Array)]
  /** Deletes every chunk the store holds (as if collected): a read of it fails. */
  const dropChunks = async (keep: Set<string>) => {
    const keys: string[] = []
    for await (const key of store.list('objects/')) if (!keep.has(key)) keys.push(key)
    await store.delete(keys)
  }
  const objects = async () => {
    const keys = new Set<string>()
    for await (const key of store.list('objects/')) keys.add(key)
    return keys
  }
  return { reader, writer, values, dropChunks, objects }
}

describe('reading the latest state', () => {
  it('follows a head another process moved, read after read', async () => {
    const { writer, values } = await setup()
    await writer.series('a').write(rows([1, 2]))
    expect(await values()).toEqual([1, 2])
    expect(await values()).toEqual([1, 2])
    await writer.series('a').write(rows([3, 4]))
    expect(await values()).toEqual([3, 4])
    await writer.series('a').write(rows([5, 6]))
    expect(await values()).toEqual([5, 6])
    expect(await values()).toEqual([5, 6])
  })

  it('does not surface a failed read of the old head once the head moved', async () => {
    const { writer, values, dropChunks, objects } = await setup()
    await writer.series('a').write(rows([1, 2]))
    expect(await values()).toEqual([1, 2])
    const before = await objects()
    await writer.series('a').write(rows([3, 4]))
    const after = await objects()
    // The old state's objects gone, the new state's kept: reading the old head fails.
    await dropChunks(new Set([...after].filter((key) => !before.has(key))))
    expect(await values()).toEqual([3, 4])
  })

  it('surfaces the failure when the head it read is still the latest', async () => {
    const { writer, values, dropChunks } = await setup()
    await writer.series('a').write(rows([1, 2]))
    expect(await values()).toEqual([1, 2])
    await dropChunks(new Set())
    await expect(values()).rejects.toMatchObject({ code: 'NotFound' })
  })

  it('reads ahead the revision its own collection just wrote, not the head before it', async () => {
    const memory = createMemoryStore()
    const fetched: string[] = []
    const store: Store = {
      ...memory,
      get: (key) => {
        fetched.push(key)
        return memory.get(key)
      },
    }
    const collection = await (await Repo.open(store, { cache: { memoryBytes: 0 } })).createCollection(
      'c',
      schema,
    )
    const chunks = async () => {
      const keys = new Set<string>()
      for await (const key of memory.list('objects/')) keys.add(key)
      return keys
    }
    await collection.series('a').write(rows([1, 2]))
    expect([...((await collection.series('a').read()).column('value') as Float64Array)]).toEqual([1, 2])
    const before = await chunks()
    await collection.series('a').write(rows([3, 4]))
    fetched.length = 0
    expect([...((await collection.series('a').read()).column('value') as Float64Array)]).toEqual([3, 4])
    // Nothing of the state before the write was fetched: the read went ahead on the new head.
    expect(fetched.filter((key) => before.has(key))).toEqual([])
  })
})
