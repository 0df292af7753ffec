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

/** What applying the changes on top of one tree made: the objects in `io`, and the new tree (none when nothing changed). */
interface Applied {
  readonly io: ObjectIo
  readonly ops: SeriesOp[]
  readonly newRoot?: TreeRoot
}

/** Per collection, the revision this process committed last and its tree: the usual base of the next commit. */
const lastCommitted = new WeakMap<CollectionContext, { readonly id: string; readonly root: TreeRoot }>()

/**
 * Applies the changes on top of the latest head and commits them as one
 * revision. Returns the new revision, or the head when nothing changed.
 * Data objects are written before the revision that references them, so a
 * crash midway leaves unreferenced objects (for gc), never a revision that
 * points at missing data.
 *
 * Finding the latest head takes a listing of the changelog. While it runs,
 * the changes are applied (chunks encoded, objects staged or written) on the
 * revision this process committed last, which is the head unless another
 * writer committed since; then that work is kept. When the head moved, it is
 * dropped (objects already written stay unreferenced, for gc) and the changes
 * are applied again on the head.
 */
export function commitChanges(
  ctx: CollectionContext,
  changes: readonly SeriesChange[],
  message: string,
): Promise<Revision | undefined> {
  return ctx.serialize(async () => {
    const listing = ctx.changelog.listLoose()
    const guess = lastCommitted.get(ctx)
    const early = guess === undefined ? undefined : settled(applyChanges(ctx, changes, guess.root))
    let revisions: Revision[]
    try {
      revisions = await listing
    } catch (error) {
      await dropApplied(early)
      throw error
    }
    const head = latestHead(revisions)
    let applied: Applied
    if (early !== undefined && head !== undefined && head.id === guess?.id) applied = unwrap(await early)
    else {
      await dropApplied(early)
      const root = head === undefined ? null : (await ctx.changelog.read(head)).root
      applied = await applyChanges(ctx, changes, root)
    }
    const { io, ops, newRoot } = applied
    if (newRoot === undefined) {
      await io.discard()
      return head
    }
    let revision: Revision
    try {
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
    lastCommitted.set(ctx, { id: revision.id, root: newRoot })
    noteCommitted(ctx, revision, newRoot)
    if (revisions.length + 1 > AUTO_SQUASH_AT) await ctx.changelog.squash()
    return revision
  })
}

/**
 * Applies every change on top of `root` through a new batch; on failure,
 * drops what the batch staged once no change still runs, and throws the first failure.
 */
async function applyChanges(
  ctx: CollectionContext,
  changes: readonly SeriesChange[],
  root: TreeRoot,
): Promise<Applied> {
  // A store that lands objects and revision in one ordered call gets them all at once (see Changelog.commit).
  const io = ctx.io.batch({ collect: ctx.io.store.createInOrder !== undefined })
  const treeChanges = new Map<string, TreeEntry | null>()
  const ops: SeriesOp[] = []
  // Settled, not raced: a failed change must not leave another one staging objects after the discard below.
  const results = await Promise.allSettled(
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
  try {
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
    return {
      io,
      ops,
      ...(treeChanges.size === 0 ? {} : { newRoot: await updateTree(io, root, treeChanges) }),
    }
  } catch (error) {
    await io.discard()
    throw error
  }
}

type Outcome<T> = { readonly value: T } | { readonly error: unknown }

/** The outcome of `promise`, which then never rejects (it may be dropped unawaited for a while). */
function settled<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
}

function unwrap<T>(outcome: Outcome<T>): T {
  if ('error' in outcome) throw outcome.error
  return outcome.value
}

/** Drops what an early application staged (a failed one dropped its own). */
async function dropApplied(early: Promise<Outcome<Applied>> | undefined): Promise<void> {
  const outcome = await early
  if (outcome !== undefined && 'value' in outcome) await outcome.value.io.discard()
}

/** The head reads follow now (undefined for an empty collection). */
export async function latestRevision(ctx: CollectionContext): Promise<Revision | undefined> {
  return latestHead(await ctx.changelog.listLoose())
}
