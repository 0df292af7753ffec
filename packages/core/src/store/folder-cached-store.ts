import { VarveError } from '../errors/varve-error.ts'
import type { CacheStats } from './cached-store.ts'
import { FolderCache } from './folder-cache.ts'
import { validateKey, validateRange } from './keys.ts'
import type { CreateEntry, Store } from './store.ts'

/** The default bound of a cache folder: 1 GiB. */
export const DEFAULT_FOLDER_CACHE_BYTES = 1024 * 1024 * 1024

export interface FolderCachedStoreOptions {
  /** The folder holding the cached objects, made when absent. Several processes (and stores whose cacheable keys are content-addressed) may share one. */
  folder: string
  /** The most bytes of files the folder holds (a positive integer); the least recently used go first. Default 1 GiB. */
  maxBytes?: number
  /**
   * Which keys hold immutable objects, the only ones cached. Default: every key,
   * which is right only when nothing, in any process, overwrites an object.
   */
  isCacheable?: (key: string) => boolean
}

export interface FolderCacheStats extends CacheStats {
  /**
   * Cached files found unreadable, truncated or damaged (each removed, its
   * object fetched again), and copies that could not be written or removed.
   * None of these fails the operation: it goes on through the inner store.
   */
  failures: number
  /** The latest of those failures (a `StoreFailure` with the cause attached), for a log. */
  lastFailure: VarveError | undefined
}

/** A store that keeps immutable objects in a local folder, across processes and restarts. */
export interface FolderCachedStore extends Store {
  /** A snapshot of the counters and the folder's size as this process knows it. */
  cacheStats(): FolderCacheStats
}

/** A read or write of a key under way; `stale` once a write to the key may have made its bytes out of date. */
interface Pending {
  stale: boolean
}

/**
 * Wraps `inner` with a cache of immutable objects in a local folder, so a
 * laptop or a server in front of a cloud store keeps what it read across
 * processes and restarts.
 *
 * - `get` of a cacheable key reads the folder first; on a miss it fetches from
 *   `inner` and writes the object to the folder. A file that is truncated,
 *   damaged or unreadable is a miss (and a counted failure), never wrong bytes.
 * - `getRange` is served from a cached whole object when there is one (and
 *   `inner` can read ranges, so `Unsupported` still surfaces); otherwise it is
 *   passed through, and nothing partial is written to the folder.
 * - `put`, `create` and `createInOrder` (where `inner` has it) write through:
 *   once `inner` took an object, it is written to the folder too, so a process
 *   reads its own writes locally. A write that failed, overlapped another
 *   write of its key, or (`createInOrder`) found its key taken leaves no copy.
 * - `delete` is passed through and removes the cached copies.
 * - `list` always asks `inner`: a cache never hides new objects.
 *
 * Files are written to a temporary dot-file and renamed into place. The folder is
 * bounded by `maxBytes` as each process sees it (files other processes write
 * count once this one reads them). Failing to write, read or remove a cached
 * file never fails the call; see `cacheStats().failures`.
 *
 * Throws `InvalidArgument` for bad options or a path that is not a folder,
 * `PermissionDenied` when the folder cannot be created or read.
 */
export async function openFolderCachedStore(
  inner: Store,
  options: FolderCachedStoreOptions,
): Promise<FolderCachedStore> {
  const { folder, maxBytes = DEFAULT_FOLDER_CACHE_BYTES, isCacheable = () => true } = options ?? {}
  if (typeof folder !== 'string' || folder.length === 0) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid cache folder ${JSON.stringify(folder)}: give the path of a folder (made when absent).`,
    )
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid cache folder size maxBytes ${JSON.stringify(maxBytes)}: give a positive whole number of bytes.`,
      { details: { maxBytes } },
    )
  }
  if (typeof isCacheable !== 'function') {
    throw new VarveError('InvalidArgument', 'Invalid isCacheable option: give a function (key) => boolean.')
  }
  const cache = await FolderCache.open(folder, maxBytes)
  const pending = new Map<string, Set<Pending>>()
  let hits = 0
  let misses = 0

  /** Registers an operation on `key`; a write makes the others under way stale (their bytes may be old). */
  function begin(key: string, writes: boolean): Pending {
    const mine: Pending = { stale: false }
    let set = pending.get(key)
    if (!set) {
      set = new Set()
      pending.set(key, set)
    }
    if (writes) for (const other of set) other.stale = true
    set.add(mine)
    return mine
  }

  function end(key: string, mine: Pending): void {
    const set = pending.get(key)
    set?.delete(mine)
    if (set?.size === 0) pending.delete(key)
  }

  async function fetch(key: string): Promise<Uint8Array | undefined> {
    misses++
    const mine = begin(key, false)
    try {
      const bytes = await inner.get(key)
      if (bytes !== undefined) await cache.write(key, bytes, () => !mine.stale)
      return bytes
    } finally {
      end(key, mine)
    }
  }

  /**
   * Runs a write of `keys`; then writes `copy` through to the folder (or, given a function, the bytes it
   * returns for each key from the call's result and the key's index), or, where there are none or the write
   * failed, removes the copies.
   */
  async function write<T>(
    keys: readonly string[],
    copy: Uint8Array | undefined | ((result: T, index: number) => Uint8Array | undefined),
    call: () => Promise<T>,
  ): Promise<T> {
    const cached = [...keys.entries()].filter(([, key]) => isCacheable(key))
    // Checked before the folder is touched: a key is a path under it.
    for (const [, key] of cached) validateKey(key)
    const mine = cached.map(([, key]) => begin(key, true))
    let written: { result: T } | undefined
    try {
      written = { result: await call() }
      return written.result
    } finally {
      // Whatever was read or written meanwhile may predate this write (or its failure).
      for (const [i, [, key]] of cached.entries()) {
        for (const other of pending.get(key) ?? []) if (other !== mine[i]) other.stale = true
      }
      await Promise.all(
        cached.map(([index, key], i) => {
          const bytes = written && (typeof copy === 'function' ? copy(written.result, index) : copy)
          return bytes !== undefined ? cache.write(key, bytes, () => !mine[i]!.stale) : cache.remove([key])
        }),
      )
      for (const [i, [, key]] of cached.entries()) end(key, mine[i]!)
    }
  }

  const store: FolderCachedStore = {
    description: inner.description,
    capabilities: inner.capabilities,

    async get(key) {
      if (!isCacheable(key)) return inner.get(key)
      validateKey(key)
      const cached = await cache.read(key)
      if (cached === undefined) return fetch(key)
      hits++
      return cached
    },

    async getRange(key, range) {
      if (!inner.capabilities.rangeRead || !isCacheable(key)) return inner.getRange(key, range)
      validateKey(key)
      validateRange(range)
      const cached = await cache.read(key)
      if (cached === undefined) {
        misses++
        return inner.getRange(key, range)
      }
      hits++
      return cached.slice(range.offset, range.offset + range.length)
    },

    put: (key, bytes) => write([key], bytes, () => inner.put(key, bytes)),
    create: (key, bytes) => write([key], bytes, () => inner.create(key, bytes)),
    delete: (keys) => write(keys, undefined, () => inner.delete(keys)),
    list: (prefix) => inner.list(prefix),

    cacheStats: () => ({
      hits,
      misses,
      bytes: cache.bytes,
      entries: cache.entries,
      failures: cache.failures,
      lastFailure: cache.lastFailure,
    }),
  }
  const createInOrder = inner.createInOrder?.bind(inner)
  if (createInOrder) {
    store.createInOrder = (levels, options) => {
      const entries = levels.flat()
      // The bytes a function gives, kept as the store takes them, for the copies written after.
      const taken = new Map<number, Uint8Array>()
      let next = 0
      let landed: boolean[] | undefined
      const passed = levels.map((level) =>
        level.map(([key, bytes]): CreateEntry => {
          const index = next++
          if (typeof bytes !== 'function') return [key, bytes]
          return [key, async () => tap(taken, index, await bytes())]
        }),
      )
      return write(
        entries.map(([key]) => key),
        // A key found taken holds another writer's object: no copy of ours.
        (created: boolean[][], i) => {
          landed ??= created.flat()
          if (!landed[i]) return undefined
          const bytes = entries[i]![1]
          return typeof bytes === 'function' ? taken.get(i) : bytes
        },
        () => createInOrder(passed, options),
      )
    }
  }
  if (inner.close) store.close = () => inner.close!()
  return store
}

function tap(taken: Map<number, Uint8Array>, index: number, bytes: Uint8Array): Uint8Array {
  taken.set(index, bytes)
  return bytes
}
