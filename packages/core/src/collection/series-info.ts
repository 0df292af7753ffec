import type { Revision } from '../changelog/changelog.ts'
import { getEntry, listEntries, type TreeEntry } from '../changelog/series-tree.ts'
import type { IndexValue } from '../model/index-value.ts'
import { overlaps } from '../series/row-range.ts'
import { readSeriesIndex } from '../series/series-index.ts'
import { forEachLimited } from '../util/for-each-limited.ts'
import type { CollectionContext } from './collection-context.ts'
import { inScope, type ResolvedScope } from './scope.ts'
import type { Snapshot } from './snapshot.ts'

/** Series indexes read at once by `collection.seriesInfo()`. */
const INFO_CONCURRENCY = 16

/**
 * One series as its stored metadata (its series index) describes it, without
 * reading its data. On a view limited to an index range (a dataset with
 * `start`/`stop`, a partial replica with `since`) the figures are those of the
 * stored segments that reach into the range, each counted whole: a segment
 * cut by an edge of the range counts all its rows and bytes, and `first` or
 * `last` may then lie outside the range. `read()` gives the exact rows.
 */
export interface SeriesInfo {
  readonly label: string
  /** Rows the series holds. */
  readonly rows: number
  /**
   * Bytes of its chunks as stored (compressed), metadata objects not included.
   * A chunk two series share (identical rows) counts in each.
   */
  readonly storedBytes: number
  /** The first index column's value in its first row, as `read()` returns it (bigint for 64-bit ints and timestamps); undefined when no row is in view. */
  readonly first: IndexValue | undefined
  /** The first index column's value in its last row; undefined when no row is in view. */
  readonly last: IndexValue | undefined
}

/** A collection's size at one revision, from its series tree. */
export interface CollectionInfo {
  /** The revision the figures describe; undefined before the first write (or before an `at()` instant). */
  readonly revision: Revision | undefined
  /** Series holding rows (within the scope of a scoped view). */
  readonly series: number
  /** Their rows, summed (on a view with an index range, as `SeriesInfo.rows` counts them). */
  readonly rows: number
}

/** The info of one series of a snapshot; undefined when the snapshot does not hold it. */
export async function readSeriesInfo(
  ctx: CollectionContext,
  snapshot: Snapshot,
  label: string,
  scope: ResolvedScope | undefined,
): Promise<SeriesInfo | undefined> {
  const entry = await getEntry(ctx.io, snapshot.root, label)
  return entry === undefined ? undefined : infoOf(ctx, entry, scope)
}

/** The info of every series of a snapshot in the scope, sorted by label. */
export async function readAllSeriesInfo(
  ctx: CollectionContext,
  snapshot: Snapshot,
  scope: ResolvedScope | undefined,
): Promise<SeriesInfo[]> {
  const entries = (await listEntries(ctx.io, snapshot.root)).filter((e) => inScope(scope, e.label))
  const out = new Array<SeriesInfo>(entries.length)
  await forEachLimited(entries, INFO_CONCURRENCY, async (entry, i) => {
    out[i] = await infoOf(ctx, entry, scope)
  })
  return out
}

/** Series and rows of a snapshot: the tree's row counts, or the series indexes where the scope has a range. */
export async function readCollectionInfo(
  ctx: CollectionContext,
  snapshot: Snapshot,
  scope: ResolvedScope | undefined,
): Promise<CollectionInfo> {
  const entries = hasRange(scope)
    ? await readAllSeriesInfo(ctx, snapshot, scope)
    : (await listEntries(ctx.io, snapshot.root)).filter((e) => inScope(scope, e.label))
  return {
    revision: snapshot.revision,
    series: entries.length,
    rows: entries.reduce((n, e) => n + e.rows, 0),
  }
}

async function infoOf(
  ctx: CollectionContext,
  entry: TreeEntry,
  scope: ResolvedScope | undefined,
): Promise<SeriesInfo> {
  const index = await readSeriesIndex(ctx.io, ctx.schema, entry.series)
  const segments = hasRange(scope)
    ? index.segments.filter((s) =>
        overlaps(s.first[0]!, s.last[0]!, { start: scope.start, stop: scope.stop, closed: 'left' }),
      )
    : index.segments
  return {
    label: entry.label,
    rows: segments.reduce((n, s) => n + s.rows, 0),
    storedBytes: segments.reduce((n, s) => n + s.bytes, 0),
    first: segments[0]?.first[0],
    last: segments.at(-1)?.last[0],
  }
}

function hasRange(scope: ResolvedScope | undefined): scope is ResolvedScope {
  return scope !== undefined && (scope.start !== undefined || scope.stop !== undefined)
}
