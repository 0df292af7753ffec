import { VarveError } from '../errors/varve-error.ts'
import { concatColumns } from '../model/column-arrays.ts'
import type { ColumnArray, ColumnType } from '../model/column-types.ts'
import { Frame } from '../model/frame.ts'
import { type IndexKey, indexKeyFromJson, indexKeyToJson, rowKey } from '../model/index-key.ts'
import type { IndexValueJson } from '../model/index-value.ts'
import type { Schema } from '../model/schema.ts'
import { ScratchArea } from './byte-io.ts'
import { decodeColumn, encodeColumn } from './column-codec.ts'
import { sha256Hex } from './hash.ts'
import { type EncodingHint, numericKind } from './numeric-codec.ts'

/**
 * A chunk holds the rows of one segment of one series, all columns, cut into
 * pages of at most `pageRows` rows and laid out page after page:
 *
 *     "VRVC" | version u8 | header length u32 LE | header (JSON) | page 0 blocks | page 1 blocks | …
 *
 * The header lists every page's row count, first and last index key and, per
 * column, its block's offset, length and hash, so a reader holding the header
 * fetches just the pages (byte ranges) a query needs and verifies each one.
 */
const MAGIC = [0x56, 0x52, 0x56, 0x43] // "VRVC"
const VERSION = 1
export const CHUNK_PRELUDE_BYTES = 9
/** Block hashes are SHA-256 cut to 128 bits: ample to detect corruption, and half the metadata. */
const BLOCK_HASH_DIGITS = 32

export interface BlockInfo {
  readonly offset: number
  readonly length: number
  readonly hash: string
}

export interface PageInfo {
  readonly rows: number
  readonly first: IndexKey
  readonly last: IndexKey
  /** One block per column, in `ChunkHeader.columns` order. */
  readonly blocks: readonly BlockInfo[]
}

export interface ChunkHeader {
  readonly rows: number
  readonly columns: readonly (readonly [name: string, type: ColumnType])[]
  readonly pages: readonly PageInfo[]
}

export interface EncodedChunk {
  readonly bytes: Uint8Array
  readonly header: ChunkHeader
  /** Prelude plus header: the bytes a ranged reader fetches first. */
  readonly headerLength: number
  readonly headerHash: string
}

/** Where `encodeChunk` keeps its blocks until it lays them out in the chunk. */
const blockScratch = new ScratchArea()

export function encodeChunk(frame: Frame, pageRows: number): EncodedChunk {
  const columns = frame.schema.columns
  const pageBlocks: Uint8Array[][] = []
  const hints: EncodingHint[] = columns.map(() => ({ pages: 0 }))
  blockScratch.reset()
  for (let start = 0; start < frame.length; start += pageRows) {
    const page = frame.slice(start, Math.min(frame.length, start + pageRows))
    pageBlocks.push(
      columns.map((spec, i) => encodeColumn(spec.type, page.columns[spec.name]!, hints[i], blockScratch)),
    )
  }
  const pageSummaries = pageBlocks.map((blocks, p) => {
    const start = p * pageRows
    const rows = Math.min(pageRows, frame.length - start)
    return {
      rows,
      first: indexKeyToJson(rowKey(frame, start)),
      last: indexKeyToJson(rowKey(frame, start + rows - 1)),
      blocks,
    }
  })
  // Offsets depend on the header's length, and the header holds the offsets:
  // lay the blocks out relative to the end of the header, then shift once.
  const relative = pageSummaries.map((page) => ({
    ...page,
    blocks: page.blocks.map((block) => ({
      length: block.length,
      hash: sha256Hex(block).slice(0, BLOCK_HASH_DIGITS),
    })),
  }))
  let offset = 0
  const headerPages = relative.map((page) => ({
    rows: page.rows,
    first: page.first,
    last: page.last,
    blocks: page.blocks.map((block) => {
      const at = offset
      offset += block.length
      return [at, block.length, block.hash] as const
    }),
  }))
  const headerJson = {
    rows: frame.length,
    columns: columns.map((spec) => [spec.name, spec.type]),
    pages: headerPages,
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(headerJson))
  const headerLength = CHUNK_PRELUDE_BYTES + headerBytes.length
  const bytes = new Uint8Array(headerLength + offset)
  bytes.set(MAGIC, 0)
  bytes[4] = VERSION
  new DataView(bytes.buffer).setUint32(5, headerBytes.length, true)
  bytes.set(headerBytes, CHUNK_PRELUDE_BYTES)
  let at = headerLength
  for (const blocks of pageBlocks) {
    for (const block of blocks) {
      bytes.set(block, at)
      at += block.length
    }
  }
  return {
    bytes,
    header: parseHeaderJson(frame.schema, headerJson, headerLength, 'new chunk'),
    headerLength,
    headerHash: sha256Hex(bytes.subarray(0, headerLength)),
  }
}

/** Reads the header from the first bytes of a chunk (at least `headerLength` of them). */
export function parseChunkHeader(schema: Schema, bytes: Uint8Array, key: string): ChunkHeader {
  if (bytes.length < CHUNK_PRELUDE_BYTES || MAGIC.some((b, i) => bytes[i] !== b))
    throw corrupt(key, 'no chunk marker')
  if (bytes[4] !== VERSION) {
    throw new VarveError(
      'FormatVersion',
      `Chunk ${key} has format version ${bytes[4]}; this Varve reads version ${VERSION}. Upgrade Varve.`,
    )
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5, true)
  if (bytes.length < CHUNK_PRELUDE_BYTES + length) throw corrupt(key, 'truncated header')
  let json: unknown
  try {
    json = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(
        bytes.subarray(CHUNK_PRELUDE_BYTES, CHUNK_PRELUDE_BYTES + length),
      ),
    )
  } catch (cause) {
    throw corrupt(key, 'unreadable header', cause)
  }
  return parseHeaderJson(schema, json, CHUNK_PRELUDE_BYTES + length, key)
}

/** Header length from the prelude alone, or undefined when the bytes are not a chunk. */
export function chunkHeaderLength(prelude: Uint8Array): number | undefined {
  if (prelude.length < CHUNK_PRELUDE_BYTES || MAGIC.some((b, i) => prelude[i] !== b)) return undefined
  return (
    CHUNK_PRELUDE_BYTES +
    new DataView(prelude.buffer, prelude.byteOffset, prelude.byteLength).getUint32(5, true)
  )
}

/**
 * Decodes pages `[from, to)` of the selected columns. `bytes` holds the chunk's
 * bytes starting at chunk offset `base` (the whole chunk, or one ranged read
 * covering those pages). Blocks are checked against their hashes when `verify`
 * (ranged reads; a whole chunk was checked against its key already).
 */
export function decodePages(
  schema: Schema,
  header: ChunkHeader,
  data: { bytes: Uint8Array; base: number; verify: boolean; key: string },
  from: number,
  to: number,
  columnNames: readonly string[],
): Frame {
  const selected = schema.columns.filter((spec) => columnNames.includes(spec.name))
  const positions = selected.map((spec) => header.columns.findIndex(([name]) => name === spec.name))
  let rows = 0
  for (let p = from; p < to; p++) rows += header.pages[p]!.rows
  // Numbers decode page by page straight into one array per column: no per-page arrays to join.
  const targets = selected.map((spec) => {
    const kind = numericKind(spec.type)
    return kind === undefined ? undefined : new kind.array(rows)
  })
  const parts = selected.map(() => [] as ColumnArray[])
  let at = 0
  for (let p = from; p < to; p++) {
    const page = header.pages[p]!
    selected.forEach((spec, i) => {
      const block = page.blocks[positions[i]!]!
      const start = block.offset - data.base
      if (start < 0 || start + block.length > data.bytes.length)
        throw corrupt(data.key, `page ${p} lies outside the bytes read`)
      const bytes = data.bytes.subarray(start, start + block.length)
      if (data.verify && sha256Hex(bytes).slice(0, BLOCK_HASH_DIGITS) !== block.hash) {
        throw corrupt(data.key, `block of column "${spec.name}" in page ${p} does not match its hash`)
      }
      const target = targets[i]
      const into = target === undefined ? undefined : target.subarray(at, at + page.rows)
      const values = decodeColumn(spec.type, bytes, page.rows, into)
      if (target === undefined) parts[i]!.push(values)
    })
    at += page.rows
  }
  const columns: Record<string, ColumnArray> = {}
  selected.forEach((spec, i) => {
    const part = parts[i]!
    columns[spec.name] = targets[i] ?? (part.length === 1 ? part[0]! : concatColumns(spec.type, part))
  })
  return new Frame(schema.select(columnNames), columns)
}

function parseHeaderJson(schema: Schema, json: unknown, headerLength: number, key: string): ChunkHeader {
  try {
    const raw = json as {
      rows: number
      columns: [string, ColumnType][]
      pages: {
        rows: number
        first: IndexValueJson[]
        last: IndexValueJson[]
        blocks: [number, number, string][]
      }[]
    }
    const columns = raw.columns.map(([name, type]) => [String(name), type] as const)
    for (const spec of schema.columns) {
      if (!columns.some(([name, type]) => name === spec.name && type === spec.type))
        throw new Error(`column ${spec.name} missing`)
    }
    const pages = raw.pages.map((page) => {
      if (page.blocks.length !== columns.length) throw new Error('block count')
      return {
        rows: page.rows,
        first: indexKeyFromJson(schema, page.first),
        last: indexKeyFromJson(schema, page.last),
        blocks: page.blocks.map(([offset, length, hash]) => {
          if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || typeof hash !== 'string')
            throw new Error('block')
          return { offset: headerLength + offset, length, hash }
        }),
      }
    })
    if (pages.reduce((n, page) => n + page.rows, 0) !== raw.rows) throw new Error('row count')
    return { rows: raw.rows, columns, pages }
  } catch (cause) {
    if (VarveError.is(cause)) throw cause
    throw corrupt(key, 'malformed header', cause)
  }
}

function corrupt(key: string, what: string, cause?: unknown): VarveError {
  return new VarveError('Integrity', `Chunk ${key} is corrupted: ${what}.`, { cause, details: { key } })
}
