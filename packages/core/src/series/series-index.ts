import type { ObjectIo } from '../chunks/object-io.ts'
import { VarveError } from '../errors/varve-error.ts'
import { type IndexKey, indexKeyFromJson, indexKeyToJson } from '../model/index-key.ts'
import type { Schema } from '../model/schema.ts'

/**
 * One segment of a series: a run of rows, ordered by index, stored as one
 * chunk. Segments of a series never overlap and are kept in index order.
 */
export interface Segment {
  /** Hash (and so key) of the chunk object. */
  readonly chunk: string
  readonly bytes: number
  readonly rows: number
  readonly first: IndexKey
  readonly last: IndexKey
  /** Length of the chunk's prelude plus header, and the hash of those bytes, for ranged reads. */
  readonly headerLength: number
  readonly headerHash: string
}

/** The index of one series at one revision: its segments in order. */
export interface SeriesIndex {
  readonly rows: number
  readonly segments: readonly Segment[]
}

export const EMPTY_SERIES: SeriesIndex = { rows: 0, segments: [] }

export function writeSeriesIndex(io: ObjectIo, index: SeriesIndex): Promise<string> {
  const json = {
    kind: 'series',
    segments: index.segments.map((s) => [
      s.chunk,
      s.bytes,
      s.rows,
      indexKeyToJson(s.first),
      indexKeyToJson(s.last),
      s.headerLength,
      s.headerHash,
    ]),
  }
  return io.writeJson(json, index)
}

export function readSeriesIndex(io: ObjectIo, schema: Schema, hash: string): Promise<SeriesIndex> {
  return io.readJson(hash, (json, key) => parseSeriesIndex(schema, json, key))
}

function parseSeriesIndex(schema: Schema, json: unknown, key: string): SeriesIndex {
  const raw = json as { kind?: unknown; segments?: unknown }
  if (raw?.kind !== 'series' || !Array.isArray(raw.segments)) throw malformed(key)
  const segments = raw.segments.map((item: unknown): Segment => {
    if (!Array.isArray(item) || item.length !== 7) throw malformed(key)
    const [chunk, bytes, rows, first, last, headerLength, headerHash] = item as unknown[]
    if (
      typeof chunk !== 'string' ||
      typeof headerHash !== 'string' ||
      !Number.isSafeInteger(bytes) ||
      !Number.isSafeInteger(rows) ||
      !Number.isSafeInteger(headerLength)
    ) {
      throw malformed(key)
    }
    return {
      chunk,
      bytes: bytes as number,
      rows: rows as number,
      first: indexKeyFromJson(schema, first),
      last: indexKeyFromJson(schema, last),
      headerLength: headerLength as number,
      headerHash,
    }
  })
  return { rows: segments.reduce((n, s) => n + s.rows, 0), segments }
}

function malformed(key: string): VarveError {
  return new VarveError('Integrity', `Series index ${key} is malformed.`, { details: { key } })
}

/** The chunks a stored series index points at, with their sizes and last index keys. For copies and gc. */
export function seriesIndexChunks(
  schema: Schema,
  json: unknown,
  key: string,
): { chunk: string; bytes: number; last: IndexKey }[] {
  return parseSeriesIndex(schema, json, key).segments.map((s) => ({
    chunk: s.chunk,
    bytes: s.bytes,
    last: s.last,
  }))
}
