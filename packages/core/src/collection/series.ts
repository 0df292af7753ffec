import type { Revision } from '../changelog/changelog.ts'
import { getEntry } from '../changelog/series-tree.ts'
import { VarveError } from '../errors/varve-error.ts'
import { Frame } from '../model/frame.ts'
import { readSeriesRows } from '../series/segment-reader.ts'
import { readSeriesIndex } from '../series/series-index.ts'
import type { CollectionContext } from './collection-context.ts'
import { commitChanges, deleteChange, latestRevision, writeChange } from './commit.ts'
import { type DeleteOptions, type ReadOptions, toReadPlan, toRowRange } from './read-options.ts'
import { replicaReadOnly } from './replica-errors.ts'
import { clampToScope, type ResolvedScope } from './scope.ts'
import { readSeriesInfo, type SeriesInfo } from './series-info.ts'
import { type BeforeDecode, readLatest, resolveSnapshot, type Snapshot, type Version } from './snapshot.ts'

/** One series of a collection, named by its label. Get it with `collection.series(label)`. */
export class Series {
  readonly label: string
  readonly #ctx: CollectionContext
  readonly #version: Version
  readonly #scope: ResolvedScope | undefined

  /** @internal Use `collection.series(label)`. */
  constructor(ctx: CollectionContext, label: string, version: Version, scope?: ResolvedScope) {
    this.#ctx = ctx
    this.label = label
    this.#version = version
    this.#scope = scope
  }

  /**
   * Writes rows, as one commit. The frame replaces whatever the series held
   * between its first and last index value; rows outside that range stay, so
   * an append is a write past the end. Every schema column must be present with
   * equal lengths; unknown columns are refused (`InvalidArgument`, nothing written).
   * Returns the revision made (or the current head when the frame is empty).
   */
  async write(columns: Readonly<Record<string, unknown>> | Frame): Promise<Revision | undefined> {
    this.#writable('write to')
    const frame = this.#ctx.schema.coerce(columns)
    if (frame.length === 0) return latestRevision(this.#ctx)
    return commitChanges(
      this.#ctx,
      [writeChange(this.#ctx, this.label, frame)],
      `write ${frame.length} rows to "${this.label}"`,
    )
  }

  /** Deletes the rows in `[start, stop]` (bounds per `closed`, default both), as one commit. */
  async delete(options: DeleteOptions): Promise<Revision | undefined> {
    this.#writable('delete from')
    const range = toRowRange(this.#ctx.schema, options, true)
    return commitChanges(
      this.#ctx,
      [deleteChange(this.#ctx, this.label, range)],
      `delete rows of "${this.label}"`,
    )
  }

  /**
   * Reads rows: by default every row of the latest state. `start`/`stop` bound
   * the first index column (`closed` says which ends count, default 'both'),
   * `select` names the value columns to return (index columns always come),
   * `offset`/`limit` page through the result, `at` reads the past (a revision
   * id or a Date). Only the chunks, and where the store can the byte ranges,
   * the query needs are fetched. On a scoped view (a dataset) a bound left
   * out is the scope's, and a bound beyond the scope throws `OutOfScope`.
   */
  async read(options: ReadOptions = {}): Promise<Frame> {
    const parsed = toReadPlan(this.#ctx.schema, options)
    const plan = { ...parsed, range: clampToScope(this.#scope, this.label, parsed.range) }
    const version = options.at ?? this.#version
    const readAt = async (snapshot: Snapshot, beforeDecode?: BeforeDecode) => {
      const entry = await getEntry(this.#ctx.io, snapshot.root, this.label)
      if (entry === undefined) return Frame.empty(this.#ctx.schema.select(plan.columns))
      const index = await readSeriesIndex(this.#ctx.io, this.#ctx.schema, entry.series)
      return readSeriesRows(this.#ctx.io, this.#ctx.schema, index, plan, beforeDecode)
    }
    const frame =
      version === 'latest'
        ? await readLatest(this.#ctx, readAt)
        : await readAt(await resolveSnapshot(this.#ctx, version))
    const from = Math.min(frame.length, plan.offset)
    return frame.slice(
      from,
      plan.limit === undefined ? frame.length : Math.min(frame.length, from + plan.limit),
    )
  }

  /**
   * The series' rows, stored bytes and first and last index values, from its
   * stored metadata only, at this view's version (`collection.at()`):
   * undefined when the series holds no rows there. Cost: resolving the version
   * (for the latest, one listing and one revision read), the series tree's
   * nodes on the label's path (one for up to 64 series), and the series index;
   * no chunk, however many rows. On a view with an index range the figures
   * count the stored segments the range reaches, whole (see `SeriesInfo`).
   */
  async info(): Promise<SeriesInfo | undefined> {
    const snapshot = await resolveSnapshot(this.#ctx, this.#version)
    return readSeriesInfo(this.#ctx, snapshot, this.label, this.#scope)
  }

  #writable(what: string): void {
    const replica = this.#ctx.links.replica
    if (replica !== undefined)
      throw replicaReadOnly(this.#ctx.name, replica, `${what} series "${this.label}"`)
    if (this.#scope !== undefined) {
      throw new VarveError(
        'ReadOnly',
        `Cannot ${what} series "${this.label}": ${this.#scope.owner} is a read-only view. Write through the collection itself (repo.collection(name).series("${this.label}")) in the repository that holds it.`,
      )
    }
    if (this.#version !== 'latest') {
      throw new VarveError(
        'ReadOnly',
        `Cannot ${what} series "${this.label}": this is a read-only view of the past. Use collection.series() on the collection itself to write.`,
      )
    }
  }
}
