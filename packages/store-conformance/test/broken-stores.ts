import { alreadyExists, compareKeys, createMemoryStore, type Store, VarveError } from '@varve/core'

/** A memory store with some of its methods (or its capabilities) replaced; `inner` is the real one. */
function wrap(replace: (inner: Store) => Partial<Store>): () => Store {
  return () => {
    const inner = createMemoryStore()
    return { ...inner, ...replace(inner) }
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Deliberately broken stores, each with one bug real stores have had. */
export const brokenStores = {
  /** create is a plain put: it replaces what is there. */
  createOverwrites: wrap((inner) => ({ create: (key, bytes) => inner.put(key, bytes) })),

  /** create checks, then writes: two racers both see the key absent. Declares atomicCreate anyway. */
  createCheckThenWrite: wrap((inner) => ({
    async create(key, bytes) {
      if ((await inner.get(key)) !== undefined) throw alreadyExists(key)
      await tick()
      await inner.put(key, bytes)
    },
  })),

  /** Sorts the keys by UTF-16 code units (plain `sort()`), not by UTF-8 bytes. */
  listUtf16Order: wrap((inner) => ({
    async *list(prefix) {
      const keys: string[] = []
      for await (const key of inner.list(prefix)) keys.push(key)
      yield* keys.sort()
    },
  })),

  /** Walks folders the way a file system store might: a folder's keys come before names that sort below '/'. */
  listFolderOrder: wrap((inner) => ({
    async *list(prefix) {
      const keys: string[] = []
      for await (const key of inner.list(prefix)) keys.push(key)
      const bySegments = (a: string, b: string) => {
        const [x, y] = [a.split('/'), b.split('/')]
        for (let i = 0; i < Math.min(x.length, y.length); i++) {
          const order = compareKeys(x[i] as string, y[i] as string)
          if (order !== 0) return order
        }
        return x.length - y.length
      }
      yield* keys.sort(bySegments)
    },
  })),

  /** Lists one entry per write, as a listing of object versions would. */
  listVersions: () => {
    const inner = createMemoryStore()
    const writes = new Map<string, number>()
    const count = (key: string) => writes.set(key, (writes.get(key) ?? 0) + 1)
    return {
      ...inner,
      async put(key, bytes) {
        await inner.put(key, bytes)
        count(key)
      },
      async create(key, bytes) {
        await inner.create(key, bytes)
        count(key)
      },
      async *list(prefix) {
        for await (const key of inner.list(prefix)) for (let i = 0; i < (writes.get(key) ?? 1); i++) yield key
      },
    } satisfies Store
  },

  /** Returns only the first page of 1,000 keys, as a store that forgets the continuation token. */
  listFirstPageOnly: wrap((inner) => ({
    async *list(prefix) {
      let count = 0
      for await (const key of inner.list(prefix)) {
        if (count++ === 1000) return
        yield key
      }
    },
  })),

  /** Treats every prefix as a folder: `ab` lists `ab/…` only, not `abc`. */
  listWholeSegmentsOnly: wrap((inner) => ({
    list: (prefix) => inner.list(prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`),
  })),

  /** A read cache that hands out its cached buffer itself. */
  getReturnsStoredBuffer: () => {
    const inner = createMemoryStore()
    const cache = new Map<string, Uint8Array>()
    return {
      ...inner,
      async get(key) {
        const cached = cache.get(key) ?? (await inner.get(key))
        if (cached) cache.set(key, cached)
        return cached
      },
      async put(key, bytes) {
        cache.delete(key)
        await inner.put(key, bytes)
      },
      async delete(keys) {
        for (const key of keys) cache.delete(key)
        await inner.delete(keys)
      },
    } satisfies Store
  },

  /** A write-through cache that keeps the caller's buffer and serves reads from it. */
  putKeepsCallerBuffer: () => {
    const inner = createMemoryStore()
    const cache = new Map<string, Uint8Array>()
    return {
      ...inner,
      get: async (key) => cache.get(key)?.slice() ?? inner.get(key),
      async put(key, bytes) {
        await inner.put(key, bytes)
        cache.set(key, bytes)
      },
      async create(key, bytes) {
        await inner.create(key, bytes)
        cache.set(key, bytes)
      },
      async delete(keys) {
        for (const key of keys) cache.delete(key)
        await inner.delete(keys)
      },
    } satisfies Store
  },

  /** getRange reads the whole object. */
  getRangeIgnoresRange: wrap((inner) => ({ getRange: (key) => inner.get(key) })),

  /** readInto resolves to the length of the caller's buffer, not to how many bytes it read. */
  readIntoCountsBuffer: wrap((inner) => ({
    readInto: async (key, target) =>
      (await inner.readInto!(key, target)) === undefined ? undefined : target.length,
  })),

  /** Declares rangeRead: false yet serves ranges instead of throwing Unsupported. */
  rangeReadFalseServesRanges: wrap(() => ({ capabilities: { atomicCreate: true, rangeRead: false } })),

  /** Missing is not an error, yet get throws NotFound. */
  getThrowsNotFound: wrap((inner) => ({
    async get(key) {
      const bytes = await inner.get(key)
      if (bytes === undefined) throw new VarveError('NotFound', `No object ${key}`)
      return bytes
    },
  })),

  /** Passes the raw errors of its "SDK" through instead of VarveErrors. */
  rawErrors: () => {
    const inner = createMemoryStore()
    const raw =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        try {
          return await call(...args)
        } catch (error) {
          throw new Error(`SDK error: ${(error as Error).message}`)
        }
      }
    return {
      ...inner,
      get: raw(inner.get),
      getRange: raw(inner.getRange),
      put: raw(inner.put),
      create: raw(inner.create),
      delete: raw(inner.delete),
      async *list(prefix) {
        try {
          yield* inner.list(prefix)
        } catch (error) {
          throw new Error(`SDK error: ${(error as Error).message}`)
        }
      },
    } satisfies Store
  },

  /** Deletes only the first 1,000 keys of a call, as a store that sends one DeleteObjects batch. */
  deleteFirstBatchOnly: wrap((inner) => ({ delete: (keys) => inner.delete(keys.slice(0, 1000)) })),

  /** Sends an empty batch to the backend, which refuses it (S3 answers MalformedXML). */
  deleteRefusesEmptyBatch: wrap((inner) => ({
    async delete(keys) {
      if (keys.length === 0)
        throw new VarveError('StoreFailure', 'MalformedXML: the XML you provided was not well-formed')
      await inner.delete(keys)
    },
  })),

  /** Writes in place, an eighth at a time, never truncating: concurrent writers interleave, shorter writes leave a tail. */
  putInPlace: wrap((inner) => ({
    async put(key, bytes) {
      const chunk = Math.max(4096, Math.ceil(bytes.length / 8))
      for (let at = 0; at === 0 || at < bytes.length; at += chunk) {
        const current = (await inner.get(key)) ?? new Uint8Array(0)
        const next = new Uint8Array(Math.max(current.length, bytes.length))
        next.set(current)
        next.set(bytes.subarray(at, at + chunk), at)
        await inner.put(key, next)
        for (let wait = Math.floor(Math.random() * 4); wait > 0; wait--) await tick()
      }
    },
  })),
} satisfies Record<string, () => Store>
