import type { Changelog } from '../changelog/changelog.ts'
import type { HybridLogicalClock } from '../changelog/hlc.ts'
import type { ObjectIo } from '../chunks/object-io.ts'
import type { Schema } from '../model/schema.ts'
import type { ChunkLayout } from '../series/segment-writer.ts'
import type { Store } from '../store/store.ts'
import type { ReplicaLink } from './collection-registry.ts'
import type { MergeOptions, MergeResult } from './merge-options.ts'
import type {
  CollectionSyncResult,
  CollectionUri,
  Remote,
  SyncOptions,
  UpstreamSyncResult,
} from './transfer.ts'

/** A collection's links to other repositories; supplied by the repository (sharing/ implements them). */
export interface CollectionLinks {
  /** Set when the collection is a read-only replica. */
  readonly replica: ReplicaLink | undefined
  /** The upstreams as recorded: a replica's one, or those a collection was published to. */
  upstreams(): readonly string[]
  /** Pushes to each target (checked first, nothing written on a refusal) and records them as upstreams. */
  publish(targets: readonly CollectionUri[], options?: SyncOptions): Promise<string[]>
  /** Sends new revisions to every upstream. */
  push(options?: SyncOptions): Promise<UpstreamSyncResult[]>
  /** Brings new revisions from the upstream(s). */
  pull(options?: SyncOptions): Promise<CollectionSyncResult>
}

/** What a collection (and its series) share: where it lives, how it writes, and its changelog. */
export interface CollectionContext {
  readonly name: string
  /** Random, fixed at creation: revisions live under it, so a dropped and recreated name starts afresh. */
  readonly id: string
  readonly schema: Schema
  readonly io: ObjectIo
  readonly changelog: Changelog
  readonly clock: HybridLogicalClock
  /** This process's writer id, part of every revision id it makes. */
  readonly writer: string
  readonly layout: ChunkLayout
  /**
   * Copies the collection to or from another repository (a Repo, a store or a
   * URI). Supplied by the repository, which owns remote opening and sync.
   */
  readonly transfer: (
    direction: 'push' | 'pull',
    remote: Remote,
    options?: SyncOptions,
  ) => Promise<CollectionSyncResult>
  /** Joins the heads; supplied by the repository (merge sits above collections). */
  readonly merge: (options?: MergeOptions) => Promise<MergeResult>
  readonly links: CollectionLinks
  /** The store the collection lives on. */
  readonly store: Store
  /** Runs `task` after every write this process started earlier on the collection, so its own writes chain. */
  readonly serialize: <T>(task: () => Promise<T>) => Promise<T>
}
