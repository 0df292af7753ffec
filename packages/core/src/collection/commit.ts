import { latestHead, type Revision } from '../changelog/changelog.ts'
import { getEntry, type TreeEntry, updateTree } from '../changelog/series-tree.ts'
import { EMPTY_SERIES, readSeriesIndex, type SeriesIndex, writeSeriesIndex } from '../series/series-index.ts'
import type { CollectionContext } from './collection-context.ts'

/** A change to one series: from its current index to the new one (writing whatever chunks it needs). */
export interface SeriesChange {
  readonly label: string
  readonly apply: (index: SeriesIndex) => Promise<SeriesIndex>
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
    const revisions = await ctx.changelog.list()
    const head = latestHead(revisions)
    const root = head === undefined ? null : (await ctx.changelog.read(head)).root
    const treeChanges = new Map<string, TreeEntry | null>()
    await Promise.all(
      changes.map(async (change) => {
        const entry = await getEntry(ctx.io, root, change.label)
        const index =
          entry === undefined ? EMPTY_SERIES : await readSeriesIndex(ctx.io, ctx.schema, entry.series)
        const next = await change.apply(index)
        if (next === index) return
        treeChanges.set(
          change.label,
          next.rows === 0
            ? null
            : { label: change.label, series: await writeSeriesIndex(ctx.io, next), rows: next.rows },
        )
      }),
    )
    if (treeChanges.size === 0) return head
    const newRoot = await updateTree(ctx.io, root, treeChanges)
    return ctx.changelog.commit(ctx.clock, ctx.writer, head === undefined ? [] : [head], newRoot, {
      message,
      changed: [...treeChanges.keys()],
    })
  })
}
