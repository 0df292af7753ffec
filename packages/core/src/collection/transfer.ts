import type { Store } from '../store/store.ts'

/**
 * The other side of a push or pull: an open repository, a store, or a URI /
 * folder path. A destination that holds no repository yet is created; a
 * source must exist.
 */
export type Remote = string | Store | { readonly store: Store }

/**
 * One collection of a repository elsewhere: `<store-uri>#<collection>`
 * (`gs://bucket/hub#sales`, `./data#sales`, `file:///abs/data#sales`,
 * `az://account/container/hub#sales`), or a store (or open Repo) and a name.
 * A store object is recorded by its `description`, which then must be a URI
 * that opens it elsewhere (a cloud or folder store's is). No credentials: a URI
 * with user info or a query is refused.
 */
export type CollectionUri =
  | string
  | { readonly store: Store | { readonly store: Store }; readonly collection: string }

/** Where a copy stands; sent after every object and revision copied. */
export interface SyncProgress {
  readonly collection: string
  readonly phase: 'objects' | 'revisions'
  readonly objectsDone: number
  readonly objectsTotal: number
  readonly bytesDone: number
  /** The data's bytes, grown by each revision's as it is read (revision sizes are known only then): never below `bytesDone`. */
  readonly bytesTotal: number
}

export interface SyncOptions {
  /** Objects copied at once. Default 8. */
  readonly concurrency?: number
  readonly onProgress?: (progress: SyncProgress) => void
}

export interface CollectionSyncResult {
  readonly collection: string
  /** Revisions the destination lacked and now holds. */
  readonly revisions: number
  /** Objects (chunks and metadata) copied, and their bytes. */
  readonly objects: number
  readonly bytes: number
  /** The destination's heads after the copy; more than one means the two sides diverged (merge joins them). */
  readonly heads: readonly string[]
  readonly upToDate: boolean
}

export interface SyncResult {
  readonly collections: readonly CollectionSyncResult[]
}

/** A push to one upstream, by `collection.push()`. */
export interface UpstreamSyncResult extends CollectionSyncResult {
  /** The upstream, as recorded: `<store-uri>#<collection>`. */
  readonly upstream: string
}
