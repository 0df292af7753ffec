import type { Revision, SeriesOp } from '../changelog/changelog.ts'
import type { CollectionContext } from '../collection/collection-context.ts'
import type { MergeConflict } from '../collection/merge-options.ts'
import type { Frame } from '../model/frame.ts'
import { compareIndexValues, type IndexValue, indexValueFromJson } from '../model/index-value.ts'
import { spanOf } from '../series/row-range.ts'
import type { History } from './history.ts'
import { rowsOfWrite } from './op-rows.ts'

interface Span {
  readonly start: IndexValue | undefined
  readonly stop: IndexValue | undefined
}

/** Every pair of operations, one from each of two branches, that overlap and disagree. */
export async function findConflicts(
  ctx: CollectionContext,
  history: History,
  base: Revision | undefined,
  heads: readonly Revision[],
): Promise<MergeConflict[]> {
  const conflicts = new Map<string, MergeConflict>()
  const sides = heads.map((head) => history.since(base, [head.id]))
  for (let i = 0; i < heads.length; i++) {
    for (let j = i + 1; j < heads.length; j++) {
      const onlyI = sides[i]!.filter((r) => !history.ancestors(heads[j]!.id).has(r.id))
      const onlyJ = sides[j]!.filter((r) => !history.ancestors(heads[i]!.id).has(r.id))
      const opsI = await opsOf(ctx, onlyI)
      const opsJ = await opsOf(ctx, onlyJ)
      for (const x of opsI) {
        for (const y of opsJ) {
          if (x.op.label !== y.op.label) continue
          const overlap = intersect(opSpan(ctx, x.op), opSpan(ctx, y.op))
          if (overlap === undefined) continue
          const rows = await rowsInOverlap(ctx, x, y, overlap)
          if (sameRows(rows)) continue
          // With three or more heads one pair of writes shows up under several pairs of heads.
          const swap = x.revision.id > y.revision.id
          const revisions: [string, string] = swap
            ? [y.revision.id, x.revision.id]
            : [x.revision.id, y.revision.id]
          conflicts.set(`${x.op.label}\u0000${revisions.join()}`, {
            label: x.op.label,
            ...overlap,
            revisions,
            rows: swap ? [rows[1], rows[0]] : rows,
          })
        }
      }
    }
  }
  return [...conflicts.values()]
}

async function opsOf(ctx: CollectionContext, revisions: readonly Revision[]) {
  const out: { revision: Revision; op: SeriesOp }[] = []
  for (const revision of revisions)
    for (const op of (await ctx.changelog.read(revision)).changes) out.push({ revision, op })
  return out
}

function opSpan(ctx: CollectionContext, op: SeriesOp): Span {
  const type = ctx.schema.indexColumns[0]!.type
  if (op.op === 'write')
    return { start: indexValueFromJson(type, op.first[0]), stop: indexValueFromJson(type, op.last[0]) }
  return {
    start: op.start === null ? undefined : indexValueFromJson(type, op.start),
    stop: op.stop === null ? undefined : indexValueFromJson(type, op.stop),
  }
}

function intersect(a: Span, b: Span): Span | undefined {
  const start =
    a.start === undefined
      ? b.start
      : b.start === undefined
        ? a.start
        : compareIndexValues(a.start, b.start) >= 0
          ? a.start
          : b.start
  const stop =
    a.stop === undefined
      ? b.stop
      : b.stop === undefined
        ? a.stop
        : compareIndexValues(a.stop, b.stop) <= 0
          ? a.stop
          : b.stop
  if (start !== undefined && stop !== undefined && compareIndexValues(start, stop) > 0) return undefined
  return { start, stop }
}

/** What each operation left in the overlap: its rows, or undefined for a delete. */
async function rowsInOverlap(
  ctx: CollectionContext,
  x: { revision: Revision; op: SeriesOp },
  y: { revision: Revision; op: SeriesOp },
  overlap: Span,
): Promise<[Frame | undefined, Frame | undefined]> {
  const rows = async (side: { revision: Revision; op: SeriesOp }): Promise<Frame | undefined> =>
    side.op.op === 'write' ? clip(ctx, await rowsOfWrite(ctx, side.revision, side.op), overlap) : undefined
  return Promise.all([rows(x), rows(y)])
}

/** Two deletes, a delete and a write of no rows, or equal writes: no disagreement. */
function sameRows([a, b]: readonly [Frame | undefined, Frame | undefined]): boolean {
  if (a === undefined || b === undefined) return (a ?? b)?.length === 0 || a === b
  return a.equals(b)
}

function clip(ctx: CollectionContext, frame: Frame, span: Span): Frame {
  const [from, to] = spanOf(frame.columns[ctx.schema.indexColumns[0]!.name]!, { ...span, closed: 'both' })
  return frame.slice(from, to)
}
