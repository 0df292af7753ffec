import {
  CHUNK_PRELUDE_BYTES,
  type ChunkHeader,
  decodePages,
  parseChunkHeader,
} from '../chunks/chunk-format.ts'
import { sha256Hex } from '../chunks/hash.ts'
import type { ObjectIo } from '../chunks/object-io.ts'
import { getObjectRange, objectKey } from '../chunks/objects.ts'
import { withObjectBytes } from '../chunks/with-object-bytes.ts'
import { VarveError } from '../errors/varve-error.ts'
import { Frame } from '../model/frame.ts'
import type { Schema } from '../model/schema.ts'
import { forEachLimited } from '../util/for-each-limited.ts'
import { contains, overlaps, type RowRange, spanOf } from './row-range.ts'
import type { Segment, SeriesIndex } from './series-index.ts'

/** Below this size a chunk is fetched whole: one request beats a header read plus a range. */
const WHOLE_READ_BYTES = 256 * 1024
const READ_CONCURRENCY = 8

export interface ReadPlan {
  readonly range: RowRange
  /** Columns to decode, in schema order; index columns always included. */
  readonly columns: readonly string[]
}

/**
 * Reads the rows of a series that fall in the range, fetching only the
 * segments that overlap it and, where the store reads byte ranges, only the
 * pages of large chunks that do. `beforeDecode` runs between a segment's
 * fetch and its decoding; its rejection stops the read.
 */
export async function readSeriesRows(
  io: ObjectIo,
  schema: Schema,
  index: SeriesIndex,
  plan: ReadPlan,
  beforeDecode?: () => Promise<void>,
): Promise<Frame> {
  const wanted = index.segments.filter((s) => overlaps(s.first[0]!, s.last[0]!, plan.range))
  const parts = new Array<Frame>(wanted.length)
  await forEachLimited(wanted, READ_CONCURRENCY, async (segment, i) => {
    parts[i] = await readSegment(io, schema, segment, plan, beforeDecode)
  })
  const selected = schema.select(plan.columns)
  return parts.length === 1 ? parts[0]! : Frame.concat(selected, parts)
}

/** Every row of one segment, every column: what a rewrite of the segment starts from. */
export async function readWholeSegment(io: ObjectIo, schema: Schema, segment: Segment): Promise<Frame> {
  const key = objectKey(segment.chunk)
  return withObjectBytes(io.store, segment.chunk, segment.bytes, (bytes) => {
    const header = parseChunkHeader(schema, bytes, key)
    const names = schema.columns.map((c) => c.name)
    return decodePages(schema, header, { bytes, base: 0, verify: false, key }, 0, header.pages.length, names)
  })
}

async function readSegment(
  io: ObjectIo,
  schema: Schema,
  segment: Segment,
  plan: ReadPlan,
  beforeDecode?: () => Promise<void>,
): Promise<Frame> {
  const key = objectKey(segment.chunk)
  const whole = contains(segment.first[0]!, segment.last[0]!, plan.range)
  // A query that needs every row of a large chunk fetches it whole too: one request, not two.
  const ranged = io.store.capabilities.rangeRead && segment.bytes > WHOLE_READ_BYTES && !whole
  let frame: Frame
  if (!ranged) {
    // The bytes may be a reused buffer: everything read from them is decoded (copied) before this returns.
    frame = await withObjectBytes(io.store, segment.chunk, segment.bytes, async (bytes) => {
      const header = await io.memo(`header:${segment.chunk}`, async () =>
        parseChunkHeader(schema, bytes, key),
      )
      const [from, to] = pagesInRange(header, plan.range)
      await beforeDecode?.()
      return decodePages(schema, header, { bytes, base: 0, verify: false, key }, from, to, plan.columns)
    })
  } else {
    const header = await readHeader(io, schema, segment)
    const [from, to] = pagesInRange(header, plan.range)
    if (from === to) return Frame.empty(schema.select(plan.columns))
    const firstBlock = header.pages[from]!.blocks[0]!
    const lastBlocks = header.pages[to - 1]!.blocks
    const lastBlock = lastBlocks[lastBlocks.length - 1]!
    const offset = firstBlock.offset
    const bytes = await getObjectRange(io.store, segment.chunk, {
      offset,
      length: lastBlock.offset + lastBlock.length - offset,
    })
    await beforeDecode?.()
    frame = decodePages(schema, header, { bytes, base: offset, verify: true, key }, from, to, plan.columns)
  }
  if (whole) return frame
  const [lo, hi] = spanOf(frame.columns[schema.indexColumns[0]!.name]!, plan.range)
  return frame.slice(lo, hi)
}

function readHeader(io: ObjectIo, schema: Schema, segment: Segment): Promise<ChunkHeader> {
  return io.memo(`header:${segment.chunk}`, async () => {
    const key = objectKey(segment.chunk)
    const bytes = await getObjectRange(io.store, segment.chunk, { offset: 0, length: segment.headerLength })
    if (segment.headerLength < CHUNK_PRELUDE_BYTES || sha256Hex(bytes) !== segment.headerHash) {
      throw new VarveError(
        'Integrity',
        `Chunk ${key} is corrupted: its header does not match the hash the series index records.`,
        {
          details: { key },
        },
      )
    }
    return parseChunkHeader(schema, bytes, key)
  })
}

function pagesInRange(header: ChunkHeader, range: RowRange): [number, number] {
  let from = 0
  while (
    from < header.pages.length &&
    !overlaps(header.pages[from]!.first[0]!, header.pages[from]!.last[0]!, range)
  )
    from++
  let to = from
  while (to < header.pages.length && overlaps(header.pages[to]!.first[0]!, header.pages[to]!.last[0]!, range))
    to++
  return [from, to]
}
