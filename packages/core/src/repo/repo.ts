import { randomBytes } from 'node:crypto'
import { Changelog } from '../changelog/changelog.ts'
import { HybridLogicalClock } from '../changelog/hlc.ts'
import { ObjectIo } from '../chunks/object-io.ts'
import { OBJECTS_PREFIX } from '../chunks/objects.ts'
import { Collection } from '../collection/collection.ts'
import type { CollectionContext } from '../collection/collection-context.ts'
import {
  type CollectionDescriptor,
  createDescriptor,
  deleteCollection,
  listCollectionNames,
  readDescriptor,
  validateCollectionName,
} from '../collection/collection-registry.ts'
import { replicaDropRefused } from '../collection/replica-errors.ts'
import type {
  CollectionSyncResult,
  CollectionUri,
  Remote,
  SyncOptions,
  SyncResult,
} from '../collection/transfer.ts'
import { Datasets, isPublished, refuseDropOfPublished } from '../datasets/datasets.ts'
import { VarveError } from '../errors/varve-error.ts'
import { collectGarbage, type GcOptions, type GcResult } from '../gc/collect-garbage.ts'
import { mergeHeads } from '../merge/merge.ts'
import { Schema, type SchemaDefinition } from '../model/schema.ts'
import { parseColumnType } from '../model/schema-definition.ts'
import { type ChunkLayout, DEFAULT_LAYOUT } from '../series/segment-writer.ts'
import { createCollectionLinks, type LinkHost, type LoadableLinks } from '../sharing/collection-links.ts'
import { copyDetached } from '../sharing/detached-copy.ts'
import { LinkStores, type RemoteStoreOptions } from '../sharing/link-stores.ts'
import { type ReplicateOptions, replicateCollection } from '../sharing/replicate-collection.ts'
import { readUpstreamRecord, upstreamsOf } from '../sharing/upstreams.ts'
import type { Store } from '../store/store.ts'
import { openStore, type StoreOpenOptions } from '../store/store-registry.ts'
import { type CacheOptions, openTieredCacheStore } from '../store/tiered-cache-store.ts'
import { syncCollection } from '../sync/collection-sync.ts'
import { openRemote } from './open-remote.ts'
import { ensureMarker } from './repo-format.ts'

/** `repo.createCollection(name, { source })`: a detached, writable copy of a collection elsewhere. */
export interface CopyCollectionOptions extends SyncOptions {
  /** The collection to copy: `<store-uri>#<collection>` (see `CollectionUri`). */
  readonly source: CollectionUri
}

/** What `replicate()` (repo/replicate.ts) needs of a repository; not public API. */
export interface RepoSharing {
  replicate(uri: CollectionUri, name: string, options?: ReplicateOptions): Promise<Collection>
}

const sharing = new WeakMap<Repo, RepoSharing>()

/** @internal The sharing entry points of `repo`. */
export function repoSharing(repo: Repo): RepoSharing {
  return sharing.get(repo)!
}

export interface RepoOptions {
  /** Make a new repository when the location holds none. Default true. */
  readonly create?: boolean
  /**
   * The cache of immutable objects (chunks, metadata; never revisions or
   * listings, so new revisions are always seen). `memoryBytes`: kept in memory,
   * default 64 MiB, 0 turns it off. `folder`: a local folder read after memory
   * and before the store, and written with what the store returned and what this
   * process wrote, so objects survive restarts; several processes and
   * repositories may share one. Default none. `folderBytes`: the folder's bound,
   * least recently used files evicted first, default 1 GiB. Bad values throw
   * `InvalidArgument`; a folder that cannot be created, `PermissionDenied`.
   */
  readonly cache?: CacheOptions
  /** Passed to the store a URI opens (region, endpoint, ...). */
  readonly store?: StoreOpenOptions
  /**
   * The options for the stores of other repositories this one opens by URI:
   * the upstreams of a published collection and of a replica (recorded as
   * URIs, so opened anew by every process), the source of a copy, and a remote
   * of `push`/`pull` given as a URI. Called with the repository's URI (a link's
   * as recorded, without `#collection`, e.g. `s3://bucket/hub`; a remote's as
   * given); what it returns goes to that scheme's store factory, as `openStore`'s
   * options do (e.g. `{ endpoint: 'https://minio.internal:9000', forcePathStyle: true }`).
   * Default: none for every URI. A store object given in a link is used as it is.
   * Not a function: `InvalidArgument`.
   */
  readonly remotes?: (uri: string) => StoreOpenOptions | undefined
  /** Rows per page and per chunk; the defaults suit most series. */
  readonly layout?: Partial<ChunkLayout>
  /** The wall clock revision times come from (tests use it to skew time). Default `Date.now`. */
  readonly clock?: () => number
}

/**
 * A Varve repository: collections of series, each with its changelog, on one
 * store. Open one with `Repo.open('./data')`, `Repo.open('s3://bucket/prefix')`
 * or `Repo.open(store)`.
 */
export class Repo {
  /** The store the repository lives on (behind the cache, if any). */
  readonly store: Store
  /** The repository's named, read-only datasets (see `Datasets`). */
  readonly datasets: Datasets
  readonly #source: Store
  readonly #io: ObjectIo
  readonly #clock: HybridLogicalClock
  readonly #writer = randomBytes(4).toString('hex')
  readonly #layout: ChunkLayout
  readonly #contexts = new Map<string, CollectionContext>()
  readonly #links: LinkHost
  readonly #remotes: RemoteStoreOptions | undefined

  private constructor(source: Store, cached: Store, options: RepoOptions) {
    this.#source = source
    this.store = cached
    this.#io = new ObjectIo(this.store)
    this.#clock = new HybridLogicalClock(options.clock)
    this.#layout = validateLayout({ ...DEFAULT_LAYOUT, ...options.layout })
    this.#remotes = options.remotes
    this.#links = { store: this.store, remotes: new LinkStores(ensureMarker, options.remotes) }
    sharing.set(this, {
      replicate: async (uri, name, replicateOptions) =>
        new Collection(this.#context(await replicateCollection(this.#links, uri, name, replicateOptions))),
    })
    this.datasets = new Datasets(source, (descriptor) => new Collection(this.#context(descriptor)))
  }

  /**
   * Opens the repository at a folder path, a URI (`memory://`, `file://`,
   * `s3://`, `gs://`, `az://`, or a registered scheme) or a store, creating it
   * on first use unless `create: false`. Throws `FormatVersion` for a
   * repository of a newer storage format.
   */
  static async open(target: string | Store, options: RepoOptions = {}): Promise<Repo> {
    const store = typeof target === 'string' ? await openStore(target, options.store) : target
    // Before the marker: bad cache, layout or remotes options must not leave a new repository behind.
    validateLayout({ ...DEFAULT_LAYOUT, ...options.layout })
    if (options.remotes !== undefined && typeof options.remotes !== 'function') {
      throw new VarveError(
        'InvalidArgument',
        "The remotes option must be a function from a repository URI to its store's options, e.g. (uri) => (uri.startsWith('s3://') ? { endpoint: 'https://minio.internal:9000' } : undefined).",
      )
    }
    const cached = await openTieredCacheStore(store, options.cache ?? {}, (key) =>
      key.startsWith(OBJECTS_PREFIX),
    )
    await ensureMarker(store, options.create ?? true)
    return new Repo(store, cached, options)
  }

  /**
   * Creates a collection; `AlreadyExists` if the name is taken (also when
   * another process won the race). With `{ source: uri }` instead of a schema,
   * it is a detached, writable copy of the collection `uri` names
   * (`'s3://bucket/hub#temperature'`): its whole history, its own id, no
   * upstream. Bad URIs throw `InvalidArgument`, a missing source `NotFound`,
   * both before anything is written. A copy that failed midway leaves the name
   * holding part of the source's history: running the same call again
   * finishes it. A name holding anything else (another schema, a replica, a
   * published collection, revisions the source lacks) is `AlreadyExists`,
   * saying which.
   */
  async createCollection(
    name: string,
    schema: Schema | SchemaDefinition | CopyCollectionOptions,
  ): Promise<Collection> {
    validateCollectionName(name)
    if (isCopyOptions(schema)) {
      const { source, ...options } = schema
      return new Collection(this.#context(await copyDetached(this.#links, source, name, options)))
    }
    const parsed = schema instanceof Schema ? schema : new Schema(schema)
    const descriptor = await createDescriptor(this.#source, name, parsed)
    return new Collection(this.#context(descriptor))
  }

  /** The collection named `name`, or undefined when there is none. */
  async collection(name: string): Promise<Collection | undefined> {
    validateCollectionName(name)
    const [descriptor, upstreams] = await Promise.all([
      readDescriptor(this.#source, name),
      readUpstreamRecord(this.#source, name),
    ])
    if (descriptor === undefined) return undefined
    const context = this.#context(descriptor)
    ;(context.links as LoadableLinks).load(upstreamsOf(upstreams, descriptor.id))
    return new Collection(context)
  }

  /** The names of every collection, sorted. */
  collections(): Promise<string[]> {
    return listCollectionNames(this.#source)
  }

  /**
   * Drops a collection and its history; its data objects go at the next gc.
   * `NotFound` if absent; `PreconditionFailed`, naming them, while datasets point at it.
   * A replica is dropped only with `{ replica: true }` (`ReadOnly` otherwise):
   * only the local copy goes, its upstream keeps everything.
   */
  async dropCollection(name: string, options: { readonly replica?: boolean } = {}): Promise<void> {
    validateCollectionName(name)
    const descriptor = await readDescriptor(this.#source, name)
    if (descriptor === undefined) {
      throw new VarveError('NotFound', `No collection "${name}" to drop; repo.collections() lists them.`)
    }
    if (descriptor.replica !== undefined && options.replica !== true) throw replicaDropRefused(descriptor)
    await refuseDropOfPublished(this.#source, descriptor)
    // A dataset published between the check and the descriptor's removal keeps the history it reads.
    await deleteCollection(this.#source, descriptor, () => isPublished(this.#source, descriptor.id))
    this.#contexts.delete(descriptor.id)
  }

  /**
   * Copies every collection to `remote` (a Repo, a store, a folder path or a
   * URI; a repository is created there if none exists): only what it lacks,
   * data before metadata, so it is readable at every instant and a re-run
   * finishes an interrupted push. Diverging histories arrive as extra heads.
   */
  async push(remote: Remote, options: SyncOptions = {}): Promise<SyncResult> {
    const target = await openRemote(remote, true, this.#remotes)
    const collections: CollectionSyncResult[] = []
    for (const name of await this.collections()) {
      const descriptor = await readDescriptor(this.#source, name)
      if (descriptor) collections.push(await syncCollection(this.store, target, descriptor, options))
    }
    return { collections }
  }

  /** Copies every collection of `remote` into this repository; see `push`. */
  async pull(remote: Remote, options: SyncOptions = {}): Promise<SyncResult> {
    const origin = await openRemote(remote, false, this.#remotes)
    const collections: CollectionSyncResult[] = []
    for (const name of await listCollectionNames(origin)) {
      const descriptor = await readDescriptor(origin, name)
      if (descriptor) collections.push(await syncCollection(origin, this.store, descriptor, options))
    }
    return { collections }
  }

  /** Copies the repository at `source` into `destination` (made if absent) and opens the copy. */
  static async clone(
    source: Remote,
    destination: Remote,
    options: RepoOptions & SyncOptions = {},
  ): Promise<Repo> {
    const target = await Repo.open(await openRemote(destination, true), options)
    await target.pull(source, options)
    return target
  }

  /**
   * Deletes what no revision of any collection reaches (left by crashed writes,
   * interrupted copies and dropped collections), safely beside concurrent
   * writers and readers: a key is deleted only when an earlier run recorded it
   * unreferenced at least `gracePeriodMs` ago (default one hour, which must
   * exceed the longest write) and it is still unreferenced now; newly found
   * garbage is recorded under `gc/` for a later run. Every revision is kept,
   * not only heads. `dryRun` reports without writing or deleting. Throws
   * `InvalidArgument` for bad options; a reachable object missing or corrupt
   * stops it (`NotFound`, `Integrity`) before anything is deleted.
   */
  gc(options?: GcOptions): Promise<GcResult> {
    return collectGarbage(this.#source, options)
  }

  /** Releases the store's clients and handles, and those of the stores its links opened. */
  async close(): Promise<void> {
    await this.#links.remotes.close()
    await this.#source.close?.()
  }

  #context(descriptor: CollectionDescriptor): CollectionContext {
    const known = this.#contexts.get(descriptor.id)
    if (known) return known
    let queue: Promise<unknown> = Promise.resolve()
    const transfer = async (direction: 'push' | 'pull', remote: Remote, options?: SyncOptions) => {
      const other = await openRemote(remote, direction === 'push', this.#remotes)
      if (direction === 'push') return syncCollection(this.store, other, descriptor, options)
      const theirs = await readDescriptor(other, descriptor.name)
      if (theirs === undefined) {
        throw new VarveError(
          'NotFound',
          `${other.description} has no collection "${descriptor.name}" to pull.`,
        )
      }
      return syncCollection(other, this.store, theirs, options)
    }
    const context: CollectionContext = {
      name: descriptor.name,
      id: descriptor.id,
      schema: descriptor.schema,
      io: this.#io,
      changelog: new Changelog(this.store, descriptor.id),
      clock: this.#clock,
      writer: this.#writer,
      layout: this.#layout,
      store: this.store,
      transfer,
      links: createCollectionLinks(this.#links, descriptor, []),
      merge: (options) => mergeHeads(context, options),
      serialize: (task) => {
        const run = queue.then(task, task)
        queue = run.catch(() => undefined)
        return run
      },
    }
    this.#contexts.set(descriptor.id, context)
    return context
  }
}

function isCopyOptions(value: unknown): value is CopyCollectionOptions {
  if (value instanceof Schema || typeof value !== 'object' || value === null || !('source' in value))
    return false
  // A schema may name a column "source": its value is then a column type, never a collection URI.
  const source = (value as { source: unknown }).source
  return typeof source !== 'string' || parseColumnType(source) === undefined
}

function validateLayout(layout: ChunkLayout): ChunkLayout {
  const ok = (n: number) => Number.isSafeInteger(n) && n > 0
  if (!ok(layout.pageRows) || !ok(layout.maxSegmentRows) || layout.maxSegmentRows < layout.pageRows) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid layout ${JSON.stringify(layout)}: pageRows and maxSegmentRows must be whole numbers > 0, maxSegmentRows ≥ pageRows.`,
    )
  }
  return layout
}
