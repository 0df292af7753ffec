import {
  type CachedStoreOptions,
  createCachedStore,
  createFaultyStore,
  createInstrumentedStore,
  createMemoryStore,
  type Store,
  unsupported,
  VarveError,
} from '@varve/core'
import { describe, expect, it } from 'vitest'
import { getReadOnly } from '../src/store/cached-store.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const keys: string[] = []
  for await (const key of iterable) keys.push(key)
  return keys
}

/** A memory store, the cache in front of it, and a counter of what reached the memory store. */
function setup(options: CachedStoreOptions = { maxBytes: 1024 }) {
  const memory = createMemoryStore()
  const inner = createInstrumentedStore(memory)
  const cached = createCachedStore(inner, options)
  const requests = (op: 'get' | 'getRange' | 'list') => inner.stats()[op].requests
  return { memory, inner, cached, requests }
}

describe('createCachedStore', () => {
  it('serves a second get from memory', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('chunks/a', bytes('hello'))
    expect(await cached.get('chunks/a')).toEqual(bytes('hello'))
    expect(await cached.get('chunks/a')).toEqual(bytes('hello'))
    expect(requests('get')).toBe(1)
    expect(cached.cacheStats()).toEqual({ hits: 1, misses: 1, bytes: 5, entries: 1 })
  })

  it('evicts the least recently used objects to stay within maxBytes', async () => {
    const { memory, cached, requests } = setup({ maxBytes: 10 })
    for (const key of ['a', 'b', 'c']) await memory.put(key, bytes(`${key}${key}${key}${key}`))
    await cached.get('a')
    await cached.get('b')
    await cached.get('a')
    expect(cached.cacheStats()).toEqual({ hits: 1, misses: 2, bytes: 8, entries: 2 })

    await cached.get('c') // 12 bytes would not fit: b, the least recently used, goes
    expect(cached.cacheStats()).toMatchObject({ bytes: 8, entries: 2 })
    expect(requests('get')).toBe(3)
    await cached.get('a')
    await cached.get('c')
    expect(requests('get')).toBe(3)
    await cached.get('b')
    expect(requests('get')).toBe(4)
    expect(cached.cacheStats().bytes).toBeLessThanOrEqual(10)
  })

  it('passes objects larger than maxBytes through uncached, evicting nothing', async () => {
    const { memory, cached, requests } = setup({ maxBytes: 8 })
    await memory.put('small', bytes('1234'))
    await memory.put('big', bytes('123456789'))
    await cached.get('small')
    expect(await cached.get('big')).toEqual(bytes('123456789'))
    expect(await cached.get('big')).toEqual(bytes('123456789'))
    expect(requests('get')).toBe(3)
    expect(cached.cacheStats()).toEqual({ hits: 0, misses: 3, bytes: 4, entries: 1 })
  })

  it('never caches an absent key', async () => {
    const { memory, cached, requests } = setup()
    expect(await cached.get('later')).toBeUndefined()
    expect(await cached.getRange('later', { offset: 0, length: 2 })).toBeUndefined()
    await memory.put('later', bytes('here'))
    expect(await cached.get('later')).toEqual(bytes('here'))
    expect(requests('get')).toBe(2)
    expect(cached.cacheStats()).toMatchObject({ misses: 3, entries: 1 })
  })

  it('keeps serving the cached bytes when the object changes behind its back (objects are immutable)', async () => {
    const { memory, cached } = setup()
    await memory.put('a', bytes('old'))
    await cached.get('a')
    await memory.put('a', bytes('new'))
    expect(await cached.get('a')).toEqual(bytes('old'))
  })

  it('drops entries on put, create and delete through it', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('a', bytes('one'))
    await cached.get('a')
    await cached.getRange('b', { offset: 0, length: 1 })

    await cached.put('a', bytes('two'))
    expect(await cached.get('a')).toEqual(bytes('two'))
    expect(requests('get')).toBe(2)

    await cached.delete(['a', 'b'])
    expect(await cached.get('a')).toBeUndefined()
    await cached.create('a', bytes('three'))
    expect(await cached.get('a')).toEqual(bytes('three'))
    await expect(cached.create('a', bytes('four'))).rejects.toSatisfy((e) =>
      VarveError.is(e, 'AlreadyExists'),
    )
    expect(await cached.get('a')).toEqual(bytes('three'))
    expect(requests('get')).toBe(5)
  })

  it('drops entries on a write that failed, since it may have happened anyway', async () => {
    const memory = createMemoryStore()
    const faulty = createFaultyStore(memory)
    const cached = createCachedStore(faulty, { maxBytes: 100 })
    await memory.put('a', bytes('old'))
    await cached.get('a')
    faulty.setFaults([{ ops: ['put'], when: 'after', error: 'Transient' }])
    await expect(cached.put('a', bytes('new'))).rejects.toSatisfy((e) => VarveError.is(e, 'Transient'))
    expect(await cached.get('a')).toEqual(bytes('new'))
  })

  it('drops range entries of a key when it is written', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('a', bytes('abcdef'))
    expect(await cached.getRange('a', { offset: 1, length: 2 })).toEqual(bytes('bc'))
    expect(await cached.getRange('a', { offset: 3, length: 9 })).toEqual(bytes('def'))
    expect(cached.cacheStats()).toMatchObject({ entries: 2, bytes: 5 })
    await cached.put('a', bytes('ABCDEF'))
    expect(cached.cacheStats()).toMatchObject({ entries: 0, bytes: 0 })
    expect(await cached.getRange('a', { offset: 1, length: 2 })).toEqual(bytes('BC'))
    expect(requests('getRange')).toBe(3)
  })

  it('always asks the inner store to list', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('x/1', bytes('1'))
    expect(await collect(cached.list('x/'))).toEqual(['x/1'])
    await memory.put('x/2', bytes('2'))
    expect(await collect(cached.list('x/'))).toEqual(['x/1', 'x/2'])
    expect(requests('list')).toBe(2)
  })

  it('returns copies: mutating what a read returned never corrupts the cache', async () => {
    const { memory, cached } = setup()
    await memory.put('a', bytes('abcdef'))
    const first = await cached.get('a')
    first?.fill(0)
    const second = await cached.get('a')
    expect(second).toEqual(bytes('abcdef'))
    second?.fill(0)
    expect(await cached.get('a')).toEqual(bytes('abcdef'))
    const range = await cached.getRange('a', { offset: 0, length: 3 })
    range?.fill(0)
    expect(await cached.get('a')).toEqual(bytes('abcdef'))

    await memory.put('b', bytes('ghijkl'))
    const missed = await cached.getRange('b', { offset: 1, length: 3 })
    missed?.fill(0)
    const hit = await cached.getRange('b', { offset: 1, length: 3 })
    expect(hit).toEqual(bytes('hij'))
    hit?.fill(0)
    expect(await cached.getRange('b', { offset: 1, length: 3 })).toEqual(bytes('hij'))
  })

  it('serves ranges from a cached whole object, with the contract edge cases', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('a', bytes('abcdef'))
    await cached.get('a')
    expect(await cached.getRange('a', { offset: 2, length: 3 })).toEqual(bytes('cde'))
    expect(await cached.getRange('a', { offset: 4, length: 10 })).toEqual(bytes('ef'))
    expect(await cached.getRange('a', { offset: 10, length: 2 })).toEqual(new Uint8Array())
    expect(await cached.getRange('a', { offset: 0, length: 0 })).toEqual(new Uint8Array())
    expect(requests('getRange')).toBe(0)
    expect(cached.cacheStats()).toEqual({ hits: 4, misses: 1, bytes: 6, entries: 1 })
    await expect(cached.getRange('a', { offset: -1, length: 2 })).rejects.toSatisfy((e) =>
      VarveError.is(e, 'InvalidArgument'),
    )
  })

  it('caches a range under its key and range, and drops ranges once the whole object is cached', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('a', bytes('abcdef'))
    await cached.getRange('a', { offset: 1, length: 2 })
    expect(await cached.getRange('a', { offset: 1, length: 2 })).toEqual(bytes('bc'))
    expect(await cached.getRange('a', { offset: 1, length: 3 })).toEqual(bytes('bcd'))
    expect(requests('getRange')).toBe(2)
    expect(cached.cacheStats()).toEqual({ hits: 1, misses: 2, bytes: 5, entries: 2 })
    await cached.get('a')
    expect(cached.cacheStats()).toMatchObject({ bytes: 6, entries: 1 })
  })

  it('does not answer from memory for a key the inner store would refuse', async () => {
    const { memory, cached } = setup()
    await memory.put('a', bytes('abcdef'))
    await cached.getRange('a', { offset: 0, length: 2 })
    // What a range entry's cache id could look like: refused as a key, never a hit.
    await expect(cached.get('a\u00000:2')).rejects.toSatisfy((e) => VarveError.is(e, 'InvalidKey'))
    await expect(cached.get('/a')).rejects.toSatisfy((e) => VarveError.is(e, 'InvalidKey'))
  })

  it('keeps Unsupported from an inner store without range reads, even for a cached object', async () => {
    const memory = createMemoryStore()
    const inner: Store = {
      ...memory,
      capabilities: { atomicCreate: true, rangeRead: false },
      getRange: async () => {
        throw unsupported(memory.description, 'range reads')
      },
    }
    const cached = createCachedStore(inner, { maxBytes: 100 })
    await memory.put('a', bytes('abc'))
    await cached.get('a')
    await expect(cached.getRange('a', { offset: 0, length: 1 })).rejects.toSatisfy((e) =>
      VarveError.is(e, 'Unsupported'),
    )
    expect(cached.capabilities.rangeRead).toBe(false)
  })

  it('caches only the keys isCacheable accepts, and counts only those', async () => {
    const { memory, cached, requests } = setup({
      maxBytes: 100,
      isCacheable: (key) => key.startsWith('chunks/'),
    })
    await memory.put('chunks/a', bytes('a'))
    await memory.put('refs/main', bytes('r1'))
    await cached.get('chunks/a')
    await cached.get('chunks/a')
    expect(await cached.get('refs/main')).toEqual(bytes('r1'))
    await memory.put('refs/main', bytes('r2'))
    expect(await cached.get('refs/main')).toEqual(bytes('r2'))
    await cached.getRange('refs/main', { offset: 0, length: 1 })
    await cached.getRange('refs/main', { offset: 0, length: 1 })
    expect(requests('get')).toBe(3)
    expect(requests('getRange')).toBe(2)
    expect(cached.cacheStats()).toEqual({ hits: 1, misses: 1, bytes: 1, entries: 1 })
  })

  it('does not cache what a read fetched while a write to the same key ran', async () => {
    const memory = createMemoryStore()
    await memory.put('a', bytes('old'))
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let gets = 0
    const inner: Store = {
      ...memory,
      get: async (key) => {
        gets++
        const result = await memory.get(key)
        if (gets === 1) await gate
        return result
      },
    }
    const cached = createCachedStore(inner, { maxBytes: 100 })
    const slowRead = cached.get('a')
    await cached.put('a', bytes('new'))
    release()
    expect(await slowRead).toEqual(bytes('old'))
    expect(cached.cacheStats().entries).toBe(0)
    expect(await cached.get('a')).toEqual(bytes('new'))
    expect(gets).toBe(2)
  })

  it('counts an empty object as one byte and clears on demand', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('empty', new Uint8Array())
    await memory.put('a', bytes('abc'))
    expect(await cached.get('empty')).toEqual(new Uint8Array())
    await cached.get('a')
    expect(cached.cacheStats()).toEqual({ hits: 0, misses: 2, bytes: 4, entries: 2 })
    cached.clearCache()
    expect(cached.cacheStats()).toEqual({ hits: 0, misses: 2, bytes: 0, entries: 0 })
    await cached.get('a')
    expect(requests('get')).toBe(3)
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined])(
    'refuses maxBytes %j',
    (maxBytes) => {
      expect(() =>
        createCachedStore(createMemoryStore(), { maxBytes } as unknown as CachedStoreOptions),
      ).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
    },
  )

  it('refuses an isCacheable that is not a function', () => {
    const options = { maxBytes: 10, isCacheable: 'chunks/' } as unknown as CachedStoreOptions
    expect(() => createCachedStore(createMemoryStore(), options)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })

  it('hands readers that never modify bytes the cached bytes themselves, and public reads still copies', async () => {
    const { memory, cached, requests } = setup()
    await memory.put('a', bytes('abcdef'))
    const missed = await getReadOnly(cached, 'a')
    const hit = await getReadOnly(cached, 'a')
    expect(hit).toBe(missed)
    expect(requests('get')).toBe(1)
    expect(cached.cacheStats()).toEqual({ hits: 1, misses: 1, bytes: 6, entries: 1 })

    const copy = await cached.get('a')
    expect(copy).not.toBe(hit)
    copy?.fill(0)
    expect(await getReadOnly(cached, 'a')).toEqual(bytes('abcdef'))

    // A public read's miss caches a copy: the caller's bytes are its own.
    await memory.put('b', bytes('ghi'))
    const own = await cached.get('b')
    own?.fill(0)
    expect(await getReadOnly(cached, 'b')).toEqual(bytes('ghi'))
  })

  it('reads read-only like get elsewhere: uncacheable keys, absent keys, other stores', async () => {
    const memory = createMemoryStore()
    const inner = createInstrumentedStore(memory)
    const cached = createCachedStore(inner, { maxBytes: 1024, isCacheable: (key) => key.startsWith('c/') })
    await memory.put('c/a', bytes('x'))
    await memory.put('d/a', bytes('y'))
    expect(await getReadOnly(cached, 'd/a')).toEqual(bytes('y'))
    expect(await getReadOnly(cached, 'd/a')).toEqual(bytes('y'))
    expect(await getReadOnly(cached, 'c/absent')).toBeUndefined()
    expect(inner.stats().get.requests).toBe(3)
    expect(cached.cacheStats()).toEqual({ hits: 0, misses: 1, bytes: 0, entries: 0 })
    expect(await getReadOnly(memory, 'c/a')).toEqual(bytes('x'))
    await expect(getReadOnly(cached, '../up')).rejects.toMatchObject({ code: 'InvalidKey' })
  })

  it('forwards description, capabilities and close', async () => {
    let closed = 0
    const memory = createMemoryStore({ description: 'memory://cache' })
    const cached = createCachedStore({ ...memory, close: async () => void closed++ }, { maxBytes: 1 })
    expect(cached.description).toBe('memory://cache')
    expect(cached.capabilities).toEqual(memory.capabilities)
    await cached.close?.()
    expect(closed).toBe(1)
  })
})
