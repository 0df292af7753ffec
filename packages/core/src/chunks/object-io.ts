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
 * objects over (`drain()`), for a store that lands them together with the
 * revision in one `createInOrder`.
 */
export class ObjectIo {
  readonly store: Store
  readonly #parsed: ParsedCache
  readonly #pending: Promise<void>[] | undefined
  readonly #collected: Map<string, Uint8Array> | undefined

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
   * writes. With `collect`, it writes nothing: `drain()` returns the objects.
   */
  batch(options: { collect?: boolean } = {}): ObjectIo {
    return new ObjectIo(
      this.store,
      {},
      { parsed: this.#parsed, batch: options.collect ? 'collect' : 'write' },
    )
  }

  /** The objects a collecting batch was given since the last drain, once each, as `createInOrder` entries. */
  drain(): CreateEntry[] {
    const entries = [...(this.#collected ?? [])].map(([key, bytes]) => [key, bytes] as const)
    this.#collected?.clear()
    return entries
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
    const hash = sha256Hex(bytes)
    await this.#put(hash, bytes)
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
    const hash = sha256Hex(bytes)
    // Remembered before the write lands: a batch reads back what it just wrote (tree updates do).
    this.#parsed.set(hash, { value })
    await this.#put(hash, bytes)
    return hash
  }

  async #put(hash: string, bytes: Uint8Array): Promise<void> {
    if (this.#collected) {
      this.#collected.set(objectKey(hash), bytes)
      return
    }
    const write = this.store.put(objectKey(hash), bytes)
    if (this.#pending) this.#pending.push(write)
    else await write
  }
}
