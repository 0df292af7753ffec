import { headsOf, type Revision, type SeriesOp } from '../changelog/changelog.ts'
import { MAX_PARENTS } from '../changelog/revision-key.ts'
import { getEntry, type TreeEntry, updateTree } from '../changelog/series-tree.ts'
import type { CollectionContext } from '../collection/collection-context.ts'
import type { MergeConflict, MergeOptions, MergeResult, MergeStrategy } from '../collection/merge-options.ts'
import { VarveError } from '../errors/varve-error.ts'
import { deleteRows, writeRows } from '../series/segment-writer.ts'
import { EMPTY_SERIES, readSeriesIndex, type SeriesIndex, writeSeriesIndex } from '../series/series-index.ts'
import { findConflicts } from './conflicts.ts'
import { History } from './history.ts'
import { rangeOfDelete, rowsOfWrite } from './op-rows.ts'

/**
 * Joins every head of the collection into one. Deterministic: merging the same
 * heads on two machines gives the same data (the same tree root hash), and a
 * merge of heads that already hold the same data only links them.
 */
export async function mergeHeads(ctx: CollectionContext, options: MergeOptions = {}): Promise<MergeResult> {
  const strategy = options.strategy ?? 'last-writer-wins'
  if (strategy !== 'last-writer-wins' && strategy !== 'fail') {
    throw new VarveError(
      'InvalidArgument',
      `Unknown merge strategy ${JSON.stringify(strategy)}: use 'last-writer-wins' or 'fail'.`,
    )
  }
  return ctx.serialize(async () => {
    let result: MergeResult = { revision: undefined, merged: [], series: [] }
    // A revision names at most MAX_PARENTS parents: many heads merge in rounds.
    for (;;) {
      const revisions = await ctx.changelog.list()
      const heads = headsOf(revisions)
      if (heads.length <= 1) return result.merged.length > 0 ? result : { ...result, revision: heads[0] }
      const round = await mergeRound(ctx, new History(revisions), heads.slice(0, MAX_PARENTS), strategy)
      result = {
        revision: round.revision,
        merged: [...result.merged, ...round.merged],
        series: [...new Set([...result.series, ...round.series])],
      }
    }
  })
}

async function mergeRound(
  ctx: CollectionContext,
  history: History,
  heads: readonly Revision[],
  strategy: MergeStrategy,
): Promise<MergeResult> {
  const headIds = heads.map((h) => h.id)
  const roots = await Promise.all(heads.map(async (h) => (await ctx.changelog.read(h)).root))
  const message = `merge ${heads.length} heads`
  if (roots.every((root) => root === roots[0])) {
    const revision = await ctx.changelog.commit(ctx.clock, ctx.writer, heads, roots[0]!, {
      message,
      changes: [],
    })
    return { revision, merged: headIds, series: [] }
  }
  const base = history.mergeBase(headIds)
  const replay = history.since(base, headIds)
  if (strategy === 'fail') {
    const conflicts: MergeConflict[] = await findConflicts(ctx, history, base, heads)
    if (conflicts.length > 0) {
      const list = conflicts
        .map((c) => `"${c.label}" [${String(c.start)} … ${String(c.stop)}] (${c.revisions.join(' vs ')})`)
        .join('; ')
      throw new VarveError(
        'MergeConflict',
        `Merge refused: ${conflicts.length} conflicting change(s): ${list}. Nothing was written; merge with strategy 'last-writer-wins' or rewrite one side.`,
        {
          details: { conflicts },
        },
      )
    }
  }
  const baseRoot = base ? (await ctx.changelog.read(base)).root : null
  const opsByLabel = new Map<string, { revision: Revision; op: SeriesOp }[]>()
  for (const revision of replay) {
    for (const op of (await ctx.changelog.read(revision)).changes) {
      const list = opsByLabel.get(op.label) ?? []
      list.push({ revision, op })
      opsByLabel.set(op.label, list)
    }
  }
  const treeChanges = new Map<string, TreeEntry | null>()
  await Promise.all(
    [...opsByLabel].map(async ([label, ops]) => {
      const entry = await getEntry(ctx.io, baseRoot, label)
      let index: SeriesIndex =
        entry === undefined ? EMPTY_SERIES : await readSeriesIndex(ctx.io, ctx.schema, entry.series)
      for (const { revision, op } of ops) {
        index =
          op.op === 'write'
            ? await writeRows(ctx.io, ctx.schema, index, await rowsOfWrite(ctx, revision, op), ctx.layout)
            : await deleteRows(ctx.io, ctx.schema, index, rangeOfDelete(ctx, op), ctx.layout)
      }
      const series = index.rows === 0 ? undefined : await writeSeriesIndex(ctx.io, index)
      treeChanges.set(label, series === undefined ? null : { label, series, rows: index.rows })
    }),
  )
  const root = await updateTree(
    ctx.io,
    baseRoot,
    new Map([...treeChanges].sort(([a], [b]) => (a < b ? -1 : 1))),
  )
  const revision = await ctx.changelog.commit(ctx.clock, ctx.writer, heads, root, { message, changes: [] })
  return { revision, merged: headIds, series: [...treeChanges.keys()].sort() }
}
