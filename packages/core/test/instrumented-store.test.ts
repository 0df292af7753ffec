import { createInstrumentedStore, createMemoryStore, type Store, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

const bytes = (text: string) => new TextEncoder().encode(text)

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const keys: string[] = []
  for await (const key of iterable) keys.push(key)
  return keys
}

const idle = { requests: 0, bytes: 0, keys: 0, errors: 0 }

describe('createInstrumentedStore', () => {
  it('counts requests, bytes, keys and errors per operation after a known sequence', async () => {
    const store = createInstrumentedStore(createMemoryStore())
    await store.put('a', bytes('abc'))
    await store.create('b', bytes('de'))
    await expect(store.create('b', bytes('fgh'))).rejects.toSatisfy((e) => VarveError.is(e, 'AlreadyExists'))
    expect(await store.get('a')).toEqual(bytes('abc'))
    expect(await store.get('missing')).toBeUndefined()
    await expect(store.get('/bad')).rejects.toSatisfy((e) => VarveError.is(e, 'InvalidKey'))
    expect(await store.getRange('a', { offset: 1, length: 5 })).toEqual(bytes('bc'))
    expect(await collect(store.list(''))).toEqual(['a', 'b'])
    expect(await collect(store.list('z'))).toEqual([])
    await store.delete(['a', 'x', 'y'])

    expect(store.stats()).toEqual({
      get: { requests: 3, bytes: 3, keys: 3, errors: 1 },
      getRange: { requests: 1, bytes: 2, keys: 1, errors: 0 },
      put: { requests: 1, bytes: 3, keys: 1, errors: 0 },
      create: { requests: 2, bytes: 5, keys: 2, errors: 1 },
      list: { requests: 2, bytes: 0, keys: 2, errors: 0 },
      delete: { requests: 1, bytes: 0, keys: 3, errors: 0 },
      total: { requests: 10, bytes: 13, keys: 12, errors: 2 },
    })
  })

  it('returns a snapshot that later calls and edits do not share', async () => {
    const store = createInstrumentedStore(createMemoryStore())
    await store.put('a', bytes('abc'))
    const before = store.stats()
    before.put.requests = 99
    before.total.bytes = 99
    await store.get('a')
    expect(before.get).toEqual(idle)
    expect(store.stats().put).toEqual({ requests: 1, bytes: 3, keys: 1, errors: 0 })
    expect(store.stats().total).toEqual({ requests: 2, bytes: 6, keys: 2, errors: 0 })
  })

  it('resets every count to zero', async () => {
    const store = createInstrumentedStore(createMemoryStore())
    await store.put('a', bytes('abc'))
    await store.get('a')
    await store.delete(['a'])
    store.resetStats()
    const stats = store.stats()
    for (const op of ['get', 'getRange', 'put', 'create', 'list', 'delete', 'total'] as const) {
      expect(stats[op]).toEqual(idle)
    }
    await store.get('a')
    expect(store.stats().get).toEqual({ requests: 1, bytes: 0, keys: 1, errors: 0 })
  })

  it('re-throws the inner error unchanged', async () => {
    const failure = new Error('backend down')
    const inner: Store = {
      ...createMemoryStore(),
      get: async () => {
        throw failure
      },
      put: () => Promise.reject(failure),
    }
    const store = createInstrumentedStore(inner)
    await expect(store.get('a')).rejects.toBe(failure)
    await expect(store.put('a', bytes('abc'))).rejects.toBe(failure)
    expect(store.stats().get).toEqual({ requests: 1, bytes: 0, keys: 1, errors: 1 })
    // The bytes were sent even though the write failed.
    expect(store.stats().put).toEqual({ requests: 1, bytes: 3, keys: 1, errors: 1 })
  })

  it('charges a listing when iterated, only for the keys taken, and counts a failing listing', async () => {
    const memory = createMemoryStore()
    for (const key of ['k/1', 'k/2', 'k/3', 'k/4']) await memory.put(key, bytes('x'))
    const store = createInstrumentedStore(memory)

    const listing = store.list('k/')
    expect(store.stats().list.requests).toBe(0)
    for await (const key of listing) if (key === 'k/2') break
    expect(store.stats().list).toEqual({ requests: 1, bytes: 0, keys: 2, errors: 0 })
    expect(await collect(store.list('k/'))).toEqual(['k/1', 'k/2', 'k/3', 'k/4'])
    expect(store.stats().list).toEqual({ requests: 2, bytes: 0, keys: 6, errors: 0 })

    const failure = new Error('page 2 failed')
    const flaky = createInstrumentedStore({
      ...memory,
      async *list() {
        yield 'k/1'
        throw failure
      },
    })
    await expect(collect(flaky.list(''))).rejects.toBe(failure)
    expect(flaky.stats().list).toEqual({ requests: 1, bytes: 0, keys: 1, errors: 1 })
  })

  it('forwards description, capabilities and close', async () => {
    let closed = 0
    const memory = createMemoryStore({ description: 'memory://stats' })
    const store = createInstrumentedStore({ ...memory, close: async () => void closed++ })
    expect(store.description).toBe('memory://stats')
    expect(store.capabilities).toEqual({ atomicCreate: true, rangeRead: true })
    await store.close?.()
    expect(closed).toBe(1)
    expect(createInstrumentedStore(memory).close).toBeUndefined()
  })
})
