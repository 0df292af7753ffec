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

  /**
   * Optional fast path for a reader that needs an object's bytes only until it
   * has decoded them, and reuses one buffer from read to read: reads the
   * object into `target` from its first byte, at most `target.length` bytes,
   * and resolves to how many it read (fewer when the object is shorter: a
   * caller asks for one byte more than it expects to learn that the object is
   * longer), or to undefined when the key is absent. The store keeps no
   * reference to `target`. A store implements it where reading into the
   * caller's buffer is as cheap as `get` (the fs store reads the file straight
   * into it); callers fall back to `get` without it. A fresh array per read is
   * what it saves: on a local disk, a large part of a full read is the garbage
   * collection those arrays cause.
   */
  readInto?(key: string, target: Uint8Array): Promise<number | undefined>

  /** Writes the object, replacing any object under the key. Readers see the old bytes or the new, never a mix. */
  put(key: string, bytes: Uint8Array): Promise<void>

  /**
   * Writes the object only if the key is absent; otherwise throws `AlreadyExists`
   * (or `PreconditionFailed`, as the backend reports it) and changes nothing.
   * Atomic when `capabilities.atomicCreate` is true.
   */
  create(key: string, bytes: Uint8Array): Promise<void>

  /**
   * Optional fast path for creating many objects level by level (a copy's
   * chunks, then series indexes, tree nodes by height, revisions by
   * generation): every object of a level is durable before any object of the
   * next level becomes visible; within a level, objects land in any order and
   * at once. Each entry is created as by `create`, except that a key already
   * holding an object is left as it is and reported `false` rather than
   * thrown. A crash or failure midway leaves whole levels, then part of one
   * level, and nothing after it (plus keys that already existed). Bytes given
   * as a function are read once, when the store is about to write them (its
   * rejection fails the call), so a caller streams large levels without
   * holding them in memory. A store implements it where it can
   * do better than `create` one by one (the fs store writes and flushes the
   * files of later levels while earlier ones land, and flushes each folder
   * once per level); callers use `createInOrder` from core, which falls back
   * to `create`s, level by level. Resolves, per level and entry, whether this
   * call created it; see {@link CreateInOrderOptions} for the rest.
   */
  createInOrder?(
    levels: readonly (readonly CreateEntry[])[],
    options?: CreateInOrderOptions,
  ): Promise<boolean[][]>

  /**
   * Optional, with `createInOrder`: starts writing `bytes` where this store's
   * `createInOrder` can land them, before their key is known (the fs store
   * writes and flushes a file in its staging folder while the caller goes on,
   * e.g. to hash the bytes for their key). Returns the bytes as a function for
   * a `CreateEntry`: given as is to this store's `createInOrder`, the written
   * copy is landed; called (by a wrapper, another store, or a caller that no
   * longer needs it), it drops the written copy and resolves to the bytes. A
   * staged function must end up in one or the other, or its copy stays aside
   * (the fs store's README says where) until removed by hand.
   */
  stage?(bytes: Uint8Array): () => Promise<Uint8Array>

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

/** One object for `Store.createInOrder`: its key, and its bytes or a function that reads them. */
export type CreateEntry = readonly [key: string, bytes: Uint8Array | (() => Promise<Uint8Array>)]

export interface CreateInOrderOptions {
  /** How many entries are written at once, at most (default 8). A whole number ≥ 1. */
  readonly concurrency?: number
  /**
   * Called as each entry lands (created, or found taken), in no particular
   * order within its level; all of a level's calls come before the next
   * level's. An entry that has landed is visible; it is durable once its level
   * is done (the next level's first call, or the call resolving).
   */
  readonly onCreated?: (level: number, index: number, created: boolean) => void
}

/** The operations of the contract, as named in stats and fault rules. */
export type StoreOperation = 'get' | 'getRange' | 'put' | 'create' | 'list' | 'delete'
