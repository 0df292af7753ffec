import { AUTO_SQUASH_AT, latestHead, type Revision, type SeriesOp } from '../changelog/changelog.ts'
import { getEntry, type TreeEntry, type TreeRoot, updateTree } from '../changelog/series-tree.ts'
import type { ObjectIo } from '../chunks/object-io.ts'
import type { Frame } from '../model/frame.ts'
import { indexKeyToJson, rowKey } from '../model/index-key.ts'
import { type IndexValue, indexValueToJson } from '../model/index-value.ts'
import type { RowRange } from '../series/row-range.ts'
import { deleteRows, writeRows } from '../series/segment-writer.ts'
import { EMPTY_SERIES, readSeriesIndex, type SeriesIndex, writeSeriesIndex } from '../series/series-index.ts'
import type { CollectionContext } from './collection-context.ts'
import { noteCommitted } from './snapshot.ts'

/** A change to one series: what the revision records, and how to get from the current index to the new one. */
export interface SeriesChange {
  readonly op: SeriesOp
  /** Computes the new index, writing chunks through `io` (a batch the commit flushes before the revision). */
  readonly apply: (index: SeriesIndex, io: ObjectIo) => Promise<SeriesIndex>
}

/** Writing `frame` (already coerced, non-empty) to a series. */
export function writeChange(ctx: CollectionContext, label: string, frame: Frame): SeriesChange {
  return {
    op: {
      label,
      op: 'write',
      first: indexKeyToJson(rowKey(frame, 0)),
      last: indexKeyToJson(rowKey(frame, frame.length - 1)),
    },
    apply: (index, io) => writeRows(io, ctx.schema, index, frame, ctx.layout),
  }
}

/** Deleting a range of a series. */
export function deleteChange(ctx: CollectionContext, label: string, range: RowRange): SeriesChange {
  const json = (v: IndexValue | undefined) => (v === undefined ? null : indexValueToJson(v))
  return {
    op: { label, op: 'delete', start: json(range.start), stop: json(range.stop), closed: range.closed },
    apply: (index, io) => deleteRows(io, ctx.schema, index, range, ctx.layout),
  }
}

/**
 * Applies the changes on top of the latest head and commits them as one
 * revision. Returns the new revision, or the head when nothing changed.
 * Data objects are written before the revision that references them, so a
 * crash midway leaves unreferenced objects (for gc), never a revision that
 * points at missing data.
 */
export function commitChanges(
  ctx: CollectionContext,
  changes: readonly SeriesChange[],
  message: string,
): Promise<Revision | undefined> {
  return ctx.serialize(async () => {
    const revisions = await ctx.changelog.listLoose()
    const head = latestHead(revisions)
    const root = head === undefined ? null : (await ctx.changelog.read(head)).root
    // A store that lands objects and revision in one ordered call gets them all at once (see Changelog.commit).
    const io = ctx.io.batch({ collect: ctx.io.store.createInOrder !== undefined })
    let revision: Revision
    let newRoot: TreeRoot
    try {
      const treeChanges = new Map<string, TreeEntry | null>()
      const ops: SeriesOp[] = []
      // Settled, not raced: a failed change must not leave another one staging objects after the discard below.
      const applied = await Promise.allSettled(
        changes.map(async (change) => {
          const label = change.op.label
          const entry = await getEntry(ctx.io, root, label)
          const index =
            entry === undefined ? EMPTY_SERIES : await readSeriesIndex(ctx.io, ctx.schema, entry.series)
          const next = await change.apply(index, io)
          if (next === index) return
          ops.push(change.op)
          const series = next.rows === 0 ? undefined : await writeSeriesIndex(io, next)
          treeChanges.set(label, series === undefined ? null : { label, series, rows: next.rows })
        }),
      )
      const failed = applied.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) throw failed.reason
      if (treeChanges.size === 0) {
        await io.discard()
        return head
      }
      newRoot = await updateTree(io, root, treeChanges)
      await io.flush()
      revision = await ctx.changelog.commit(
        ctx.clock,
        ctx.writer,
        head === undefined ? [] : [head],
        newRoot,
        { message, changes: ops },
        io.collected(),
      )
    } catch (error) {
      await io.discard()
      throw error
    }
    noteCommitted(ctx, revision, newRoot)
    if (revisions.length + 1 > AUTO_SQUASH_AT) await ctx.changelog.squash()
    return revision
  })
}

/** The head reads follow now (undefined for an empty collection). */
export async function latestRevision(ctx: CollectionContext): Promise<Revision | undefined> {
  return latestHead(await ctx.changelog.listLoose())
}
