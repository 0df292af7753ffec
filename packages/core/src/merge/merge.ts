import { headsOf, type Revision, type SeriesOp } from '../changelog/changelog.ts'
import { MAX_PARENTS } from '../changelog/revision-key.ts'
import { getEntry, type TreeEntry, type TreeRoot, updateTree } from '../changelog/series-tree.ts'
import type { CollectionContext } from '../collection/collection-context.ts'
import { deleteChange, type SeriesChange, writeChange } from '../collection/commit.ts'
import type { MergeConflict, MergeOptions, MergeResult, MergeStrategy } from '../collection/merge-options.ts'
import { VarveError } from '../errors/varve-error.ts'
import { type RowRange, spanOf } from '../series/row-range.ts'
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
    const revisions = await ctx.changelog.list()
    const heads = headsOf(revisions)
    if (heads.length <= 1) return { revision: heads[0], merged: [], series: [] }
    const state = await mergedState(ctx, new History(revisions), heads, strategy, options)
    // A revision names at most MAX_PARENTS parents: more heads are joined by a chain of
    // merge revisions, each holding the merged state, the last one descending from all.
    const message = `merge ${heads.length} heads`
    let revision: Revision | undefined
    let rest: readonly Revision[] = heads
    while (rest.length > 0) {
      const take = revision === undefined ? MAX_PARENTS : MAX_PARENTS - 1
      const parents = revision === undefined ? rest.slice(0, take) : [revision, ...rest.slice(0, take)]
      rest = rest.slice(take)
      revision = await ctx.changelog.commit(ctx.clock, ctx.writer, parents, state.root, {
        message,
        changes: rest.length === 0 ? state.changes : [],
      })
    }
    return { revision, merged: heads.map((h) => h.id), series: state.series }
  })
}

interface MergedState {
  readonly root: TreeRoot
  /** What a resolver chose: recorded on the merge revision so later merges replay it. */
  readonly changes: readonly SeriesOp[]
  readonly series: readonly string[]
}

async function mergedState(
  ctx: CollectionContext,
  history: History,
  heads: readonly Revision[],
  strategy: MergeStrategy,
  options: MergeOptions,
): Promise<MergedState> {
  const headIds = heads.map((h) => h.id)
  const roots = await Promise.all(heads.map(async (h) => (await ctx.changelog.read(h)).root))
  if (roots.every((root) => root === roots[0])) return { root: roots[0]!, changes: [], series: [] }
  const base = history.mergeBase(headIds)
  const replay = history.since(base, headIds)
  const conflicts: MergeConflict[] =
    strategy === 'fail' || options.resolve ? await findConflicts(ctx, history, base, heads) : []
  if (strategy === 'fail') {
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
  const resolutions = options.resolve ? await resolveAll(ctx, conflicts, options.resolve) : []
  for (const { conflict } of resolutions)
    if (!opsByLabel.has(conflict.label)) opsByLabel.set(conflict.label, [])
  const recorded: SeriesOp[] = []
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
      for (const { conflict, change } of resolutions) {
        if (conflict.label !== label) continue
        index = await change.apply(index, ctx.io)
        recorded.push(change.op)
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
  return { root, changes: recorded, series: [...treeChanges.keys()].sort() }
}

/** Asks the resolver about every conflict and turns each answer into a change to replay after the others. */
async function resolveAll(
  ctx: CollectionContext,
  conflicts: readonly MergeConflict[],
  resolve: NonNullable<MergeOptions['resolve']>,
): Promise<{ conflict: MergeConflict; change: SeriesChange }[]> {
  const out: { conflict: MergeConflict; change: SeriesChange }[] = []
  for (const conflict of conflicts) {
    const answer = await resolve(conflict)
    if (answer === undefined) continue
    const frame = ctx.schema.coerce(answer)
    const range: RowRange = { start: conflict.start, stop: conflict.stop, closed: 'both' }
    const index = frame.columns[ctx.schema.indexColumns[0]!.name]!
    const [from, to] = spanOf(index, range)
    if (from !== 0 || to !== frame.length) {
      throw new VarveError(
        'InvalidArgument',
        `The resolver returned rows outside the conflict's range [${String(conflict.start)} … ${String(conflict.stop)}] of "${conflict.label}"; return only rows inside it.`,
      )
    }
    // Rows replace the range: clear it, then write what the resolver chose.
    const clear = deleteChange(ctx, conflict.label, range)
    out.push({ conflict, change: clear })
    if (frame.length > 0) out.push({ conflict, change: writeChange(ctx, conflict.label, frame) })
  }
  return out
}
