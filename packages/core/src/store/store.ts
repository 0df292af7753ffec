/**
 * The store contract: the whole of what the engine asks of a backend.
 *
 * A store holds immutable byte objects under '/'-separated keys (see
 * `validateKey` for the rules). Version 1 of the contract.
 */
export const STORE_CONTRACT_VERSION = 1

/** What a store guarantees, declared as data. The engine chooses behaviour from these, never from the store's class. */
export interface StoreCapabilities {
  /**
   * `create` is atomic: of N concurrent creates of one key, exactly one succeeds
   * and every other fails with `AlreadyExists` or `PreconditionFailed`, whatever
   * process or machine they run on. When false, `create` still refuses a key that
   * already exists, but two racers may both succeed (the last write stays).
   */
  readonly atomicCreate: boolean
  /** `getRange` reads a byte range without fetching the whole object. When false, `getRange` throws `Unsupported`. */
  readonly rangeRead: boolean
}

export interface ByteRange {
  /** First byte, from 0. */
  readonly offset: number
  /** How many bytes; the result is shorter when the object ends first. */
  readonly length: number
}

export interface Store {
  /** A printable name of where the store points (e.g. `file:///data`), never holding credentials. */
  readonly description: string
  readonly capabilities: StoreCapabilities

  /** The whole object, or undefined when the key is absent (absence is not an error). */
  get(key: string): Promise<Uint8Array | undefined>

  /**
   * Bytes `[offset, offset + length)` of the object, shorter when it ends
   * earlier (empty past the end); undefined when the key is absent.
   * Throws `Unsupported` when `capabilities.rangeRead` is false.
   */
  getRange(key: string, range: ByteRange): Promise<Uint8Array | undefined>

  /** Writes the object, replacing any object under the key. Readers see the old bytes or the new, never a mix. */
  put(key: string, bytes: Uint8Array): Promise<void>

  /**
   * Writes the object only if the key is absent; otherwise throws `AlreadyExists`
   * (or `PreconditionFailed`, as the backend reports it) and changes nothing.
   * Atomic when `capabilities.atomicCreate` is true.
   */
  create(key: string, bytes: Uint8Array): Promise<void>

  /**
   * Optional fast path for many `create`s that must land in order (a chain of
   * revisions): the same as calling `create` for each entry one after another,
   * except that a key already holding an object is left as it is and reported
   * `false` rather than thrown. Each object is durable before the next becomes
   * visible, so a crash or a failure midway leaves a prefix of `entries` (plus
   * keys that already existed). A store implements it where it can prepare the
   * objects ahead (the fs store writes and flushes them all at once, then links
   * them in order); callers use `createInOrder` from core, which falls back to
   * `create` one by one. Calls `onCreated` as each entry lands (durable, or
   * found taken), in order; resolves, per entry, whether this call created it.
   */
  createInOrder?(
    entries: readonly (readonly [key: string, bytes: Uint8Array])[],
    onCreated?: (index: number, created: boolean) => void,
  ): Promise<boolean[]>

  /**
   * Every key starting with `prefix` (a plain string prefix, not only whole
   * segments), in ascending order of their UTF-8 bytes. Paging is the store's
   * business. A key deleted or created during the listing may or may not appear.
   */
  list(prefix: string): AsyncIterable<string>

  /** Deletes the keys; absent keys are not an error. */
  delete(keys: readonly string[]): Promise<void>

  /** Releases clients, handles, timers. Optional. */
  close?(): Promise<void>
}

/** The operations of the contract, as named in stats and fault rules. */
export type StoreOperation = 'get' | 'getRange' | 'put' | 'create' | 'list' | 'delete'
