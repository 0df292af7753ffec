import type { Revision, SeriesOp } from '../changelog/changelog.ts'
import { getEntry } from '../changelog/series-tree.ts'
import type { CollectionContext } from '../collection/collection-context.ts'
import { Frame } from '../model/frame.ts'
import { compareIndexKeys, indexKeyFromJson, rowKey } from '../model/index-key.ts'
import { indexValueFromJson } from '../model/index-value.ts'
import type { RowRange } from '../series/row-range.ts'
import { readSeriesRows } from '../series/segment-reader.ts'
import { readSeriesIndex } from '../series/series-index.ts'

type WriteOp = Extract<SeriesOp, { op: 'write' }>
type DeleteOp = Extract<SeriesOp, { op: 'delete' }>

/** The rows a write put in place: the revision's own state of the series between the op's first and last keys. */
export async function rowsOfWrite(ctx: CollectionContext, revision: Revision, op: WriteOp): Promise<Frame> {
  const first = indexKeyFromJson(ctx.schema, op.first)
  const last = indexKeyFromJson(ctx.schema, op.last)
  const body = await ctx.changelog.read(revision)
  const entry = await getEntry(ctx.io, body.root, op.label)
  if (entry === undefined) return Frame.empty(ctx.schema)
  const index = await readSeriesIndex(ctx.io, ctx.schema, entry.series)
  const columns = ctx.schema.columns.map((c) => c.name)
  const frame = await readSeriesRows(ctx.io, ctx.schema, index, {
    range: { start: first[0], stop: last[0], closed: 'both' },
    columns,
  })
  if (ctx.schema.indexColumns.length === 1) return frame
  // A composite index: the first-column range may hold rows outside the full-key range.
  let from = 0
  while (from < frame.length && compareIndexKeys(rowKey(frame, from), first) < 0) from++
  let to = frame.length
  while (to > from && compareIndexKeys(rowKey(frame, to - 1), last) > 0) to--
  return frame.slice(from, to)
}

export function rangeOfDelete(ctx: CollectionContext, op: DeleteOp): RowRange {
  const type = ctx.schema.indexColumns[0]!.type
  return {
    start: op.start === null ? undefined : indexValueFromJson(type, op.start),
    stop: op.stop === null ? undefined : indexValueFromJson(type, op.stop),
    closed: op.closed,
  }
}
