import { encodeChunk } from '../chunks/chunk-format.ts'
import type { ObjectIo } from '../chunks/object-io.ts'
import { Frame } from '../model/frame.ts'
import { compareIndexKeys, rowKey, searchRows } from '../model/index-key.ts'
import type { Schema } from '../model/schema.ts'
import { overlaps, type RowRange, spanOf } from './row-range.ts'
import { readWholeSegment } from './segment-reader.ts'
import type { Segment, SeriesIndex } from './series-index.ts'

/** How rows are cut into chunks. */
export interface ChunkLayout {
  /** Rows per page: the unit of a ranged read. */
  readonly pageRows: number
  /** Rows per segment (chunk) at most. */
  readonly maxSegmentRows: number
}

export const DEFAULT_LAYOUT: ChunkLayout = { pageRows: 8192, maxSegmentRows: 131_072 }

/** A piece of the new segment list: a stored segment kept as is, or rows waiting to be stored. */
type Piece = { readonly stored: Segment } | { readonly frame: Frame }

/**
 * Writes `frame` into the series: it replaces every row between its first and
 * last index key (inclusive); rows outside stay. Only the segments the frame
 * overlaps are rewritten, then small neighbours are merged (see `compact`).
 */
export async function writeRows(
  io: ObjectIo,
  schema: Schema,
  index: SeriesIndex,
  frame: Frame,
  layout: ChunkLayout,
): Promise<SeriesIndex> {
  if (frame.length === 0) return index
  const first = rowKey(frame, 0)
  const last = rowKey(frame, frame.length - 1)
  const before: Piece[] = []
  const after: Piece[] = []
  const touched: Segment[] = []
  for (const segment of index.segments) {
    if (compareIndexKeys(segment.last, first) < 0) before.push({ stored: segment })
    else if (compareIndexKeys(segment.first, last) > 0) after.push({ stored: segment })
    else touched.push(segment)
  }
  const middle: Frame[] = [frame]
  if (touched.length > 0) {
    // Only the first and last touched segments can hold rows outside the written range.
    const head = await readWholeSegment(io, schema, touched[0]!)
    const tail = touched.length === 1 ? head : await readWholeSegment(io, schema, touched.at(-1)!)
    middle.unshift(head.slice(0, searchRows(head, first)))
    middle.push(tail.slice(searchRows(tail, last, true)))
  }
  const pieces = [...before, ...split(concat(schema, middle), layout), ...after]
  return store(io, await compact(io, schema, pieces, layout), layout)
}

/** Removes the rows in the range; segments it does not reach are kept as they are. */
export async function deleteRows(
  io: ObjectIo,
  schema: Schema,
  index: SeriesIndex,
  range: RowRange,
  layout: ChunkLayout,
): Promise<SeriesIndex> {
  const pieces: Piece[] = []
  let changed = false
  for (const segment of index.segments) {
    if (!overlaps(segment.first[0]!, segment.last[0]!, range)) {
      pieces.push({ stored: segment })
      continue
    }
    changed = true
    const rows = await readWholeSegment(io, schema, segment)
    const [from, to] = spanOf(rows.columns[schema.indexColumns[0]!.name]!, range)
    const kept = concat(schema, [rows.slice(0, from), rows.slice(to)])
    if (kept.length > 0) pieces.push({ frame: kept })
  }
  if (!changed) return index
  return store(io, await compact(io, schema, pieces, layout), layout)
}

/**
 * Merges new pieces with their neighbours while the pair is small (fits one
 * page) or of similar size (within 8×), up to `maxSegmentRows`. Appends thus
 * grow a tail that is merged geometrically, as in a log-structured merge: a
 * series keeps few segments however many small writes it had, and each row is
 * rewritten a bounded number of times.
 */
async function compact(
  io: ObjectIo,
  schema: Schema,
  pieces: readonly Piece[],
  layout: ChunkLayout,
): Promise<Piece[]> {
  const out: Piece[] = []
  for (const piece of pieces) {
    let current = piece
    for (let left = out.at(-1); left !== undefined; left = out.at(-1)) {
      // Two untouched segments stay as they are: a write never rewrites what it did not reach.
      if ('stored' in current && 'stored' in left) break
      if (!mergeable(rowsOf(left), rowsOf(current), layout)) break
      out.pop()
      current = {
        frame: concat(schema, [await frameOf(io, schema, left), await frameOf(io, schema, current)]),
      }
    }
    out.push(current)
  }
  return out
}

function mergeable(a: number, b: number, layout: ChunkLayout): boolean {
  const total = a + b
  if (total > layout.maxSegmentRows) return false
  return total <= layout.pageRows || Math.min(a, b) * 8 >= Math.max(a, b)
}

async function store(io: ObjectIo, pieces: readonly Piece[], layout: ChunkLayout): Promise<SeriesIndex> {
  const segments = await Promise.all(
    pieces.map((piece) => ('stored' in piece ? piece.stored : storeFrame(io, piece.frame, layout))),
  )
  return { rows: segments.reduce((n, s) => n + s.rows, 0), segments }
}

async function storeFrame(io: ObjectIo, frame: Frame, layout: ChunkLayout): Promise<Segment> {
  const chunk = encodeChunk(frame, layout.pageRows)
  const hash = await io.putBytes(chunk.bytes)
  return {
    chunk: hash,
    bytes: chunk.bytes.length,
    rows: frame.length,
    first: rowKey(frame, 0),
    last: rowKey(frame, frame.length - 1),
    headerLength: chunk.headerLength,
    headerHash: chunk.headerHash,
  }
}

function split(frame: Frame, layout: ChunkLayout): Piece[] {
  const pieces: Piece[] = []
  for (let start = 0; start < frame.length; start += layout.maxSegmentRows) {
    pieces.push({ frame: frame.slice(start, Math.min(frame.length, start + layout.maxSegmentRows)) })
  }
  return pieces
}

function rowsOf(piece: Piece): number {
  return 'stored' in piece ? piece.stored.rows : piece.frame.length
}

function frameOf(io: ObjectIo, schema: Schema, piece: Piece): Promise<Frame> {
  return 'stored' in piece ? readWholeSegment(io, schema, piece.stored) : Promise.resolve(piece.frame)
}

function concat(schema: Schema, frames: readonly Frame[]): Frame {
  const nonEmpty = frames.filter((f) => f.length > 0)
  if (nonEmpty.length === 1) return nonEmpty[0]!
  return nonEmpty.length === 0 ? Frame.empty(schema) : Frame.concat(schema, nonEmpty)
}
