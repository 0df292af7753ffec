import { headsOf, type Revision } from '../changelog/changelog.ts'
import { listEntries } from '../changelog/series-tree.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Frame } from '../model/frame.ts'
import type { Schema } from '../model/schema.ts'
import type { CollectionContext, CollectionLinks } from './collection-context.ts'
import { commitChanges, writeChange } from './commit.ts'
import { validateLabel } from './labels.ts'
import type { MergeOptions, MergeResult } from './merge-options.ts'
import { replicaReadOnly, replicaScope } from './replica-errors.ts'
import {
  checkScopeLabel,
  inScope,
  narrowScope,
  type ReadScope,
  type ResolvedScope,
  resolveScope,
} from './scope.ts'
import { Series } from './series.ts'
import { type CollectionInfo, readAllSeriesInfo, readCollectionInfo, type SeriesInfo } from './series-info.ts'
import { resolveSnapshot, type Version } from './snapshot.ts'
import type { CollectionSyncResult, Remote, SyncOptions, UpstreamSyncResult } from './transfer.ts'

/** Many series written in one commit: label → columns (or a Frame). */
export type WriteBatch =
  | Readonly<Record<string, Readonly<Record<string, unknown>> | Frame>>
  | ReadonlyMap<string, Readonly<Record<string, unknown>> | Frame>

const linksByCollection = new WeakMap<Collection, CollectionLinks>()

/** @internal The links of a collection, for `publish()`. */
export function collectionLinks(collection: Collection): CollectionLinks {
  const links = linksByCollection.get(collection)
  if (links === undefined) {
    throw new VarveError(
      'InvalidArgument',
      'Expected a Collection from repo.collection() or repo.createCollection().',
    )
  }
  return links
}

/**
 * A named set of series sharing one schema, with one changelog. Get one with
 * `repo.createCollection()` or `repo.collection()`.
 */
export class Collection {
  readonly #ctx: CollectionContext
  readonly #version: Version
  readonly #scope: ResolvedScope | undefined

  /**
   * @internal Use `repo.collection(name)`. A `scope` makes a read-only view
   * limited to some series and/or an index range (reads outside throw `OutOfScope`).
   */
  constructor(ctx: CollectionContext, version: Version = 'latest', scope?: ReadScope | ResolvedScope) {
    this.#ctx = ctx
    this.#version = version
    const replica = ctx.links.replica
    const own = scope ?? (replica && replicaScope(ctx.name, ctx.schema, replica))
    this.#scope = own === undefined || isResolved(own) ? own : resolveScope(ctx.schema, own)
    linksByCollection.set(this, ctx.links)
  }

  get name(): string {
    return this.#ctx.name
  }

  get schema(): Schema {
    return this.#ctx.schema
  }

  /** True for views of the past (`at()`) and scoped views (datasets): every write throws `ReadOnly`. */
  get readOnly(): boolean {
    return this.#version !== 'latest' || this.#scope !== undefined || this.#ctx.links.replica !== undefined
  }

  /**
   * Where this collection is shared: a replica's upstream (one
   * `<store-uri>#<collection>`), or the repositories `publish()` pushed it to
   * (as recorded when it was opened or published). Empty for neither.
   */
  get upstream(): readonly string[] {
    return this.#ctx.links.upstreams()
  }

  /** The series named `label` (it exists once written). Throws `OutOfScope` for a label a scoped view does not hold. */
  series(label: string): Series {
    validateLabel(label)
    checkScopeLabel(this.#scope, label)
    return new Series(this.#ctx, label, this.#version, this.#scope)
  }

  /** The labels of every series holding rows (within the scope of a scoped view), sorted. */
  async labels(): Promise<string[]> {
    const snapshot = await resolveSnapshot(this.#ctx, this.#version)
    return (await listEntries(this.#ctx.io, snapshot.root))
      .map((e) => e.label)
      .filter((label) => inScope(this.#scope, label))
  }

  /**
   * How many series and rows the collection holds at this view's version,
   * from its series tree: one snapshot resolution (for the latest, one listing
   * and one revision read) and one read per tree node (one node up to 64
   * series); no series index and no chunk. On a view with an index range, each
   * series' index is read too and rows count as `SeriesInfo.rows` does.
   */
  async info(): Promise<CollectionInfo> {
    return readCollectionInfo(this.#ctx, await resolveSnapshot(this.#ctx, this.#version), this.#scope)
  }

  /**
   * Every series (within the scope of a scoped view) with its rows, stored
   * bytes and first and last index values, sorted by label, from stored
   * metadata only, all of one revision (this view's version). Cost: one
   * snapshot resolution (for the latest, one listing and one revision read),
   * one read per tree node and one per series index, 16 at a time; no chunk,
   * however many rows. See `SeriesInfo` for views with an index range.
   */
  async seriesInfo(): Promise<SeriesInfo[]> {
    return readAllSeriesInfo(this.#ctx, await resolveSnapshot(this.#ctx, this.#version), this.#scope)
  }

  /**
   * Writes many series in one commit (each with the semantics of
   * `Series.write`). Every frame is checked before anything is written.
   */
  async write(batch: WriteBatch): Promise<Revision | undefined> {
    if (this.readOnly) throw this.#readOnlyError('write to it')
    const entries = batch instanceof Map ? [...batch] : Object.entries(batch as Record<string, unknown>)
    const frames = entries.map(([label, columns]) => {
      validateLabel(label)
      try {
        return {
          label,
          frame: this.#ctx.schema.coerce(columns),
        }
      } catch (error) {
        if (VarveError.is(error)) {
          throw new VarveError(error.code, `Series "${label}": ${error.message}`, {
            cause: error,
            details: { ...error.details, label },
          })
        }
        throw error
      }
    })
    const rows = frames.reduce((n, f) => n + f.frame.length, 0)
    const changes = frames
      .filter(({ frame }) => frame.length > 0)
      .map(({ label, frame }) => writeChange(this.#ctx, label, frame))
    return commitChanges(this.#ctx, changes, `write ${rows} rows to ${changes.length} series`)
  }

  /** Every revision, oldest first. One listing, no object read. */
  log(): Promise<Revision[]> {
    return this.#ctx.changelog.list()
  }

  /** The revisions no other revision builds on. More than one means concurrent writers diverged (merge joins them). */
  async heads(): Promise<Revision[]> {
    return headsOf(await this.#ctx.changelog.listLoose())
  }

  /**
   * Joins every head into one (see `MergeOptions` for the strategies). With one
   * head it does nothing and returns it. Throws `MergeConflict` (nothing
   * written) when the strategy is 'fail' and branches disagree.
   */
  merge(options?: MergeOptions): Promise<MergeResult> {
    if (this.readOnly) throw this.#readOnlyError('merge it')
    return this.#ctx.merge(options)
  }

  /**
   * Sends the revisions (and data) the remote lacks to the same-named
   * collection there, creating it if needed. Idempotent and resumable; on the
   * remote a revision appears only once all its data is there. Without a
   * remote, pushes to every upstream `publish()` recorded (`InvalidArgument`
   * when there is none). A replica has nothing to push: `ReadOnly`.
   */
  push(remote: Remote, options?: SyncOptions): Promise<CollectionSyncResult>
  push(remote?: undefined, options?: SyncOptions): Promise<UpstreamSyncResult[]>
  async push(remote?: Remote, options?: SyncOptions): Promise<CollectionSyncResult | UpstreamSyncResult[]> {
    if (remote === undefined) return this.#ctx.links.push(options)
    const replica = this.#ctx.links.replica
    if (replica !== undefined) throw replicaReadOnly(this.name, replica, 'push it')
    return this.#ctx.transfer('push', remote, options)
  }

  /**
   * Brings the revisions (and data) this repository lacks from the same-named
   * collection of the remote. Without a remote: a replica pulls from its
   * upstream (incremental; "up to date" costs one listing there), a published
   * collection from its upstreams; any other throws `InvalidArgument`. A
   * replica takes data only from its upstream (`InvalidArgument` for a remote).
   */
  async pull(remote?: Remote, options?: SyncOptions): Promise<CollectionSyncResult> {
    if (remote === undefined) return this.#ctx.links.pull(options)
    const replica = this.#ctx.links.replica
    if (replica !== undefined) {
      throw new VarveError(
        'InvalidArgument',
        `Collection "${this.name}" is a replica of ${replica.upstream} and takes data only from there: call pull() without a remote.`,
      )
    }
    return this.#ctx.transfer('pull', remote, options)
  }

  /**
   * Packs the history every head shares into one object, so a collection with a
   * long history lists (and opens) in few requests; every revision stays
   * readable. Commits do this on their own past 64 loose revisions.
   * Returns how many revisions were packed.
   */
  squash(): Promise<number> {
    if (this.readOnly) throw this.#readOnlyError('squash it')
    return this.#ctx.changelog.squash()
  }

  /** A read-only view of the collection as of a revision id (or unique prefix) or an instant. */
  at(version: string | Date): Collection {
    if (!(version instanceof Date) && typeof version !== 'string') {
      throw new VarveError('InvalidArgument', 'at() takes a revision id or a Date.')
    }
    return new Collection(this.#ctx, version, this.#scope)
  }

  /**
   * @internal A read-only view of this one limited to `scope` (datasets make
   * these), within this one's own scope if it has one (a partial replica).
   * `InvalidArgument` for a malformed scope.
   */
  withScope(scope: ReadScope): Collection {
    const inner = resolveScope(this.#ctx.schema, scope)
    return new Collection(
      this.#ctx,
      this.#version,
      this.#scope === undefined ? inner : narrowScope(this.#scope, inner),
    )
  }

  #readOnlyError(action = 'change it'): VarveError {
    const replica = this.#ctx.links.replica
    if (replica !== undefined) return replicaReadOnly(this.name, replica, action)
    if (this.#scope !== undefined) {
      return new VarveError(
        'ReadOnly',
        `Collection "${this.name}" is read-only here: ${this.#scope.owner} is a read-only view of it. Write through the collection itself instead (repo.collection("${this.name}") in the repository that holds it).`,
      )
    }
    return new VarveError(
      'ReadOnly',
      `Collection "${this.name}" is a read-only view of the past; write through repo.collection("${this.name}") instead.`,
    )
  }
}

function isResolved(scope: ReadScope | ResolvedScope): scope is ResolvedScope {
  return typeof (scope as ResolvedScope).show === 'function'
}
