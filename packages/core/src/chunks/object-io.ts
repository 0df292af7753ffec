import { LRUCache } from 'lru-cache'
import type { CreateEntry, Store } from '../store/store.ts'
import { sha256Hex } from './hash.ts'
import { encodeJson, getJsonObject, objectKey } from './objects.ts'

type ParsedCache = LRUCache<string, { value: unknown }>

/**
 * Reads and writes content-addressed objects for one repository, keeping the
 * parsed form of recently used metadata: it is immutable, so a cached copy is
 * never stale, and a tree walk or a series lookup repeated by the same process
 * costs no request.
 *
 * A batch (`batch()`) starts its writes at once and lets the caller go on:
 * a commit writes all its objects concurrently, then `flush()`es them before
 * it writes the revision that references them, so latency is one round of
 * writes, not one per object, and the revision still comes last. A
 * collecting batch (`batch({ collect: true })`) writes nothing and hands its
 * objects over (`collected()`), for a store that lands them together with the
 * revision in one `createInOrder`; where the store can `stage`, each object
 * starts being written as soon as the batch gets it, before it is hashed.
 */
export class ObjectIo {
  readonly store: Store
  readonly #parsed: ParsedCache
  readonly #pending: Promise<void>[] | undefined
  readonly #collected: Map<string, CreateEntry[1]> | undefined

  constructor(
    store: Store,
    options: { cachedObjects?: number } = {},
    shared?: { parsed: ParsedCache; batch: 'write' | 'collect' },
  ) {
    this.store = store
    this.#parsed = shared?.parsed ?? new LRUCache({ max: options.cachedObjects ?? 20_000 })
    this.#pending = shared?.batch === 'write' ? [] : undefined
    this.#collected = shared?.batch === 'collect' ? new Map() : undefined
  }

  /**
   * A view that writes without waiting; call `flush()` before relying on the
   * writes. With `collect`, it writes nothing: `collected()` returns the objects.
   */
  batch(options: { collect?: boolean } = {}): ObjectIo {
    return new ObjectIo(
      this.store,
      {},
      { parsed: this.#parsed, batch: options.collect ? 'collect' : 'write' },
    )
  }

  /** The objects a collecting batch was given, once each, as `createInOrder` entries. */
  collected(): CreateEntry[] {
    return [...(this.#collected ?? [])].map(([key, bytes]) => [key, bytes] as const)
  }

  /**
   * Drops the staged copies of what a collecting batch was given, for a
   * commit that failed: those a `createInOrder` took are its own to land or
   * remove (dropping them again does nothing).
   */
  async discard(): Promise<void> {
    await Promise.allSettled(this.collected().map(([, bytes]) => dropStaged(bytes)))
  }

  /** Waits for every write of the batch; throws the first failure once all have settled. */
  async flush(): Promise<void> {
    const pending = this.#pending?.splice(0) ?? []
    const results = await Promise.allSettled(pending)
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }

  /** Stores `bytes` under their hash and returns it. Writing an object that exists rewrites identical bytes: harmless. */
  async putBytes(bytes: Uint8Array): Promise<string> {
    // Staged first: the store writes while this thread hashes.
    const staged = this.#stage(bytes)
    const hash = sha256Hex(bytes)
    await this.#put(hash, bytes, staged)
    return hash
  }

  /** The parsed object under `hash`; `parse` validates the JSON and builds the value (called once per hash). */
  async readJson<T>(hash: string, parse: (json: unknown, key: string) => T): Promise<T> {
    const hit = this.#parsed.get(hash)
    if (hit) return hit.value as T
    const value = parse(await getJsonObject(this.store, hash), objectKey(hash))
    this.#parsed.set(hash, { value })
    return value
  }

  /** A value derived from immutable objects (e.g. a chunk's parsed header), computed once per `key`. */
  async memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#parsed.get(key)
    if (hit) return hit.value as T
    const value = await load()
    this.#parsed.set(key, { value })
    return value
  }

  /** Stores `json` and remembers `value` (its parsed form) under the resulting hash. */
  async writeJson<T>(json: unknown, value: T): Promise<string> {
    const bytes = encodeJson(json)
    const staged = this.#stage(bytes)
    const hash = sha256Hex(bytes)
    // Remembered before the write lands: a batch reads back what it just wrote (tree updates do).
    this.#parsed.set(hash, { value })
    await this.#put(hash, bytes, staged)
    return hash
  }

  /** In a collecting batch on a store that stages, the bytes staged; else undefined. */
  #stage(bytes: Uint8Array): (() => Promise<Uint8Array>) | undefined {
    return this.#collected && this.store.stage ? this.store.stage(bytes) : undefined
  }

  async #put(hash: string, bytes: Uint8Array, staged?: () => Promise<Uint8Array>): Promise<void> {
    if (this.#collected) {
      const key = objectKey(hash)
      // The same object twice in one batch (two series with equal chunks): one copy lands.
      if (this.#collected.has(key)) await dropStaged(staged)
      else this.#collected.set(key, staged ?? bytes)
      return
    }
    const write = this.store.put(objectKey(hash), bytes)
    if (this.#pending) this.#pending.push(write)
    else await write
  }
}

/** Drops a staged copy (calling a staged function does); plain bytes need nothing. */
async function dropStaged(bytes: CreateEntry[1] | undefined): Promise<void> {
  if (typeof bytes === 'function') await bytes()
}
