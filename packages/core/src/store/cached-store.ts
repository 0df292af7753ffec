import { LRUCache } from 'lru-cache'
import { VarveError } from '../errors/varve-error.ts'
import { validateKey, validateRange } from './keys.ts'
import type { ByteRange, Store } from './store.ts'

export interface CachedStoreOptions {
  /** The most bytes of object data the cache holds (a positive integer); the least recently used go first. */
  maxBytes: number
  /**
   * Which keys hold immutable objects, the only ones cached. Default: every key,
   * which is right only when nothing overwrites an object behind this store's back.
   */
  isCacheable?: (key: string) => boolean
}

export interface CacheStats {
  /** Reads of cacheable keys served from memory. */
  hits: number
  /** Reads of cacheable keys that went to the inner store. */
  misses: number
  /** Bytes held (an empty object counts as 1). */
  bytes: number
  /** Objects and ranges held. */
  entries: number
}

/** A store that keeps recently read immutable objects in memory. */
export interface CachedStore extends Store {
  /** A snapshot of the counters and the cache's size. */
  cacheStats(): CacheStats
  /** Drops every cached entry; the hit and miss counters keep counting. */
  clearCache(): void
}

/** Marks a read in flight so that a write to its key meanwhile keeps its (maybe old) result out of the cache. */
interface Read {
  stale: boolean
}

// '\u0000' cannot occur in a key (see keyProblem), so range entries never collide with whole objects.
const rangeId = (key: string, range: ByteRange) => `${key}\u0000${range.offset}:${range.length}`

/**
 * Wraps `inner` with a read cache for immutable objects, bounded in bytes
 * (`maxBytes`), least recently used evicted first.
 *
 * - `get` of a cacheable key is served from memory when cached, else fetched and
 *   cached. An absent key is never cached: the object may appear later.
 * - `getRange` is served from a cached whole object when there is one (and the
 *   inner store can read ranges, so `Unsupported` still surfaces); otherwise it
 *   is passed through and its result cached under the key and range.
 * - `put`, `create`, `createInOrder` and `stage` (where `inner` has them) and `delete` are passed through and drop the affected
 *   entries once the write is over (whether it succeeded or not, as a failed
 *   write may still have happened), and keep reads in flight for those keys from
 *   caching what they fetched.
 * - `readInto` (where `inner` has it) copies a cached object into the caller's
 *   buffer; a miss reads through to `inner` and is not cached (a store that
 *   reads into the caller's buffer reads cheaply, and caching would copy).
 * - `list` always asks the inner store: a cache never hides new objects.
 * - An object larger than `maxBytes` is passed through uncached.
 *
 * The cache holds its own copies and every read returns a fresh copy, so a caller
 * may mutate the bytes it gets without corrupting the cache (the cost is one
 * memory copy per read, small beside a trip to a remote store). Readers inside
 * Varve that never modify what they read skip both copies through
 * `getReadOnly`.
 *
 * Throws `InvalidArgument` when `maxBytes` is not a positive integer or
 * `isCacheable` is not a function.
 */
export function createCachedStore(inner: Store, options: CachedStoreOptions): CachedStore {
  const { maxBytes, isCacheable = () => true } = options ?? ({} as CachedStoreOptions)
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid cache size maxBytes ${JSON.stringify(maxBytes)}: give a positive whole number of bytes.`,
      { details: { maxBytes } },
    )
  }
  if (typeof isCacheable !== 'function') {
    throw new VarveError('InvalidArgument', 'Invalid isCacheable option: give a function (key) => boolean.')
  }

  const size = (bytes: Uint8Array) => Math.max(1, bytes.length)
  // The range entries cached per key, so that a write drops them without a scan of the whole cache.
  const rangesOf = new Map<string, Set<string>>()
  const inFlight = new Map<string, Set<Read>>()
  const cache = new LRUCache<string, Uint8Array>({
    maxSize: maxBytes,
    sizeCalculation: size,
    dispose: (_bytes, id) => {
      const cut = id.indexOf('\u0000')
      if (cut < 0) return
      const key = id.slice(0, cut)
      const ranges = rangesOf.get(key)
      ranges?.delete(id)
      if (ranges?.size === 0) rangesOf.delete(key)
    },
  })
  let hits = 0
  let misses = 0

  /** Caches `bytes` under `id`: a copy, unless `shared` (the one reader of them promises not to modify them). */
  function remember(key: string, id: string, bytes: Uint8Array, shared = false): void {
    if (size(bytes) > maxBytes) return
    cache.set(id, shared ? bytes : bytes.slice())
    if (id === key) return
    setIn(rangesOf, key).add(id)
  }

  function dropRanges(key: string): void {
    // A copy: each delete runs dispose, which edits the set.
    for (const id of [...(rangesOf.get(key) ?? [])]) cache.delete(id)
  }

  function forget(keys: readonly string[]): void {
    for (const key of keys) {
      cache.delete(key)
      dropRanges(key)
      for (const read of inFlight.get(key) ?? []) read.stale = true
    }
  }

  /** Fetches through `inner`, caching the result under `id` unless a write to `key` happened meanwhile. */
  async function fetch(key: string, id: string, call: () => Promise<Uint8Array | undefined>, shared = false) {
    misses++
    const read: Read = { stale: false }
    const reads = setIn(inFlight, key)
    reads.add(read)
    try {
      const bytes = await call()
      if (bytes !== undefined && !read.stale) remember(key, id, bytes, shared)
      return bytes
    } finally {
      reads.delete(read)
      if (reads.size === 0) inFlight.delete(key)
    }
  }

  async function write<T>(keys: readonly string[], call: () => Promise<T>): Promise<T> {
    // Forgetting once the write is over suffices: until then readers may see the old bytes, as the contract allows.
    try {
      return await call()
    } finally {
      forget(keys)
    }
  }

  async function getObject(key: string, shared: boolean): Promise<Uint8Array | undefined> {
    if (!isCacheable(key)) return inner.get(key)
    // A key the inner store would refuse must not be answered from memory.
    validateKey(key)
    const cached = cache.get(key)
    if (cached) {
      hits++
      return shared ? cached : cached.slice()
    }
    const bytes = await fetch(key, key, () => inner.get(key), shared)
    // The whole object serves every range from now on; its range entries would only take room.
    if (bytes !== undefined && cache.has(key)) dropRanges(key)
    return bytes
  }

  const store: CachedStore = {
    description: inner.description,
    capabilities: inner.capabilities,

    get: (key) => getObject(key, false),

    async getRange(key, range) {
      if (!inner.capabilities.rangeRead || !isCacheable(key)) return inner.getRange(key, range)
      validateKey(key)
      validateRange(range)
      const whole = cache.get(key)
      if (whole) {
        hits++
        return whole.slice(range.offset, range.offset + range.length)
      }
      const id = rangeId(key, range)
      const cached = cache.get(id)
      if (cached) {
        hits++
        return cached.slice()
      }
      return fetch(key, id, () => inner.getRange(key, range))
    },

    put: (key, bytes) => write([key], () => inner.put(key, bytes)),
    create: (key, bytes) => write([key], () => inner.create(key, bytes)),
    delete: (keys) => write(keys, () => inner.delete(keys)),
    list: (prefix) => inner.list(prefix),

    cacheStats: () => ({ hits, misses, bytes: cache.calculatedSize, entries: cache.size }),
    clearCache: () => cache.clear(),
  }
  const createInOrder = inner.createInOrder?.bind(inner)
  if (createInOrder)
    store.createInOrder = (levels, options) =>
      write(
        levels.flatMap((level) => level.map(([key]) => key)),
        () => createInOrder(levels, options),
      )
  const readInto = inner.readInto?.bind(inner)
  if (readInto)
    store.readInto = async (key, target) => {
      if (!isCacheable(key)) return readInto(key, target)
      validateKey(key)
      const cached = cache.get(key)
      if (cached) {
        hits++
        const count = Math.min(cached.length, target.length)
        target.set(cached.subarray(0, count))
        return count
      }
      // Not cached: keeping the bytes would take a copy of each, the very allocation readInto saves.
      misses++
      return readInto(key, target)
    }
  // Staged bytes reach the inner store's createInOrder unchanged (it lands only its own).
  if (inner.stage) store.stage = (bytes) => inner.stage!(bytes)
  if (inner.close) store.close = () => inner.close!()
  readOnlyGets.set(store, (key) => getObject(key, true))
  return store
}

/** The no-copy `get` of each cached store made here. */
const readOnlyGets = new WeakMap<Store, (key: string) => Promise<Uint8Array | undefined>>()

/**
 * `store.get(key)` for a reader that never modifies the bytes it gets (a
 * chunk decoded, a hash checked): in front of a cached store made by
 * `createCachedStore`, a hit returns the cached bytes themselves and a miss
 * caches the fetched bytes without a copy. Writing into the result corrupts
 * the cache for every later reader.
 */
export function getReadOnly(store: Store, key: string): Promise<Uint8Array | undefined> {
  const get = readOnlyGets.get(store)
  return get === undefined ? store.get(key) : get(key)
}

/** The set under `key` in `map`, made and stored if absent. */
function setIn<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key)
  if (!set) {
    set = new Set()
    map.set(key, set)
  }
  return set
}
