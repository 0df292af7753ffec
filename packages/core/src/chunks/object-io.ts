import { LRUCache } from 'lru-cache'
import type { Store } from '../store/store.ts'
import { encodeJson, getJsonObject, objectKey, putObject } from './objects.ts'

/**
 * Reads and writes content-addressed metadata objects for one repository,
 * keeping the parsed form of recently used ones: they are immutable, so a
 * cached copy is never stale, and a tree walk or a series lookup repeated by
 * the same process costs no request.
 */
export class ObjectIo {
  readonly store: Store
  readonly #parsed: LRUCache<string, { value: unknown }>

  constructor(store: Store, options: { cachedObjects?: number } = {}) {
    this.store = store
    this.#parsed = new LRUCache({ max: options.cachedObjects ?? 20_000 })
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
    const hash = await putObject(this.store, encodeJson(json))
    this.#parsed.set(hash, { value })
    return hash
  }
}
