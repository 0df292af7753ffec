import type { Store } from '../store/store.ts'

/**
 * The other side of a push or pull: an open repository, a store, or a URI /
 * folder path. A destination that holds no repository yet is created; a
 * source must exist.
 */
export type Remote = string | Store | { readonly store: Store }

/** Where a copy stands; sent after every object and revision copied. */
export interface SyncProgress {
  readonly collection: string
  readonly phase: 'objects' | 'revisions'
  readonly objectsDone: number
  readonly objectsTotal: number
  readonly bytesDone: number
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
