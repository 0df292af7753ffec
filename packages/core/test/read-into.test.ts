import { createCachedStore, createMemoryStore, Repo, Schema, type Store, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const bytes = (...values: number[]) => Uint8Array.from(values)

/** The memory store with its readInto calls counted. */
function countingStore() {
  const inner = createMemoryStore()
  const calls = { readInto: 0, get: 0 }
  const store: Store = {
    ...inner,
    get: (key) => {
      calls.get++
      return inner.get(key)
    },
    readInto: (key, target) => {
      calls.readInto++
      return inner.readInto!(key, target)
    },
  }
  return { store, calls }
}

describe('readInto', () => {
  it('of the memory store copies the object into the buffer and says how much it copied', async () => {
    const store = createMemoryStore()
    await store.put('a/b', bytes(1, 2, 3))
    const target = new Uint8Array(5).fill(9)
    expect(await store.readInto!('a/b', target)).toBe(3)
    expect(target).toEqual(bytes(1, 2, 3, 9, 9))
    expect(await store.readInto!('a/b', target.subarray(0, 2))).toBe(2)
    expect(await store.readInto!('a/missing', target)).toBeUndefined()
    await expect(store.readInto!('/a', target)).rejects.toSatisfy((e) => VarveError.is(e, 'InvalidKey'))
  })

  it('of a cached store serves a cached object, and reads a miss through without caching it', async () => {
    const { store: inner, calls } = countingStore()
    await inner.put('objects/x', bytes(4, 5, 6))
    const cached = createCachedStore(inner, { maxBytes: 1000 })
    const target = new Uint8Array(4)
    expect(await cached.readInto!('objects/x', target)).toBe(3)
    expect(await cached.readInto!('objects/x', target)).toBe(3)
    expect(calls.readInto).toBe(2)
    expect(cached.cacheStats()).toMatchObject({ hits: 0, misses: 2, entries: 0 })
    await cached.get('objects/x')
    target.fill(0)
    expect(await cached.readInto!('objects/x', target)).toBe(3)
    expect(target).toEqual(bytes(4, 5, 6, 0))
    expect(calls.readInto).toBe(2)
    expect(cached.cacheStats()).toMatchObject({ hits: 1, misses: 3 })
  })

  it('is absent from a cached store whose inner store lacks it', () => {
    const { readInto: _, ...inner } = createMemoryStore()
    expect(createCachedStore(inner, { maxBytes: 1000 }).readInto).toBeUndefined()
  })
})

describe('reads of chunks into reused buffers', () => {
  const series = (s: number) => ({
    timestamp: Array.from({ length: 5000 + s * 700 }, (_, i) => 1_600_000_000_000 + i * 1000),
    value: Float64Array.from({ length: 5000 + s * 700 }, (_, i) => Math.sin(i * (s + 1)) * 100),
  })

  it('give each series its own rows, read one after another and all at once', async () => {
    const { store, calls } = countingStore()
    const repo = await Repo.open(store, { cache: { memoryBytes: 0 } })
    const c = await repo.createCollection('c', schema)
    for (let s = 0; s < 12; s++) await c.series(`s${s}`).write(series(s))
    const reader = (await (await Repo.open(store, { cache: { memoryBytes: 0 } })).collection('c'))!
    for (let s = 0; s < 12; s++)
      expect((await reader.series(`s${s}`).read()).column('value')).toEqual(series(s).value)
    const all = await Promise.all(Array.from({ length: 12 }, (_, s) => reader.series(`s${s}`).read()))
    for (const [s, frame] of all.entries()) expect(frame.column('value')).toEqual(series(s).value)
    expect(calls.readInto).toBeGreaterThanOrEqual(24)
  })

  it('read as before from a store without readInto', async () => {
    const { readInto: _, ...store } = createMemoryStore()
    const c = await (await Repo.open(store)).createCollection('c', schema)
    await c.series('a').write(series(3))
    expect((await c.series('a').read()).column('value')).toEqual(series(3).value)
  })

  it('report a chunk longer than its series index records as corrupted, naming its key', async () => {
    const store = createMemoryStore()
    const c = await (await Repo.open(store)).createCollection('c', schema)
    await c.series('a').write(series(2))
    let chunk = ''
    let size = 0
    for await (const key of store.list('objects/')) {
      const length = (await store.get(key))!.length
      if (length > size) [chunk, size] = [key, length]
    }
    const original = (await store.get(chunk))!
    const longer = new Uint8Array(size + 3)
    longer.set(original)
    await store.put(chunk, longer)
    const read = async () => (await (await Repo.open(store)).collection('c'))!.series('a').read()
    const error = await read().catch((e: unknown) => e)
    expect(VarveError.is(error, 'Integrity'), String(error)).toBe(true)
    expect((error as Error).message).toContain(`${chunk} in memory`)
    expect((error as Error).message).toContain(`more than the ${size} bytes recorded`)
  })
})
