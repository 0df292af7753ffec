import type { ColumnArray, ColumnType } from '../model/column-types.ts'
import { type ByteReader, ByteWriter, corrupt, type ScratchArea } from './byte-io.ts'
import { laneBuffer, planeBuffer, readPlanes, writePlanes } from './byte-planes.ts'
import { shuffleWords, unshuffleWords } from './byte-shuffle.ts'
import { decodeDecimals, detectDecimals, encodeDecimals } from './decimal-floats.ts'
import { deltaDecode32, deltaEncode32, orderMapHi } from './delta-zigzag.ts'
import { decodeDelta64, encodeDelta64 } from './delta64.ts'
import { Encoding, type EncodingId } from './encodings.ts'

export type NumericType = Exclude<ColumnType, 'bool' | 'str'>
export type NumericArray = Exclude<ColumnArray, boolean[] | string[]>

interface NumericKind {
  readonly bits: 8 | 16 | 32 | 64
  readonly float: boolean
  readonly array: new (length: number) => NumericArray
}

const KINDS: Record<NumericType, NumericKind> = {
  int8: { bits: 8, float: false, array: Int8Array },
  int16: { bits: 16, float: false, array: Int16Array },
  int32: { bits: 32, float: false, array: Int32Array },
  int64: { bits: 64, float: false, array: BigInt64Array },
  uint8: { bits: 8, float: false, array: Uint8Array },
  uint16: { bits: 16, float: false, array: Uint16Array },
  uint32: { bits: 32, float: false, array: Uint32Array },
  uint64: { bits: 64, float: false, array: BigUint64Array },
  float32: { bits: 32, float: true, array: Float32Array },
  float64: { bits: 64, float: true, array: Float64Array },
  'timestamp[s]': { bits: 64, float: false, array: BigInt64Array },
  'timestamp[ms]': { bits: 64, float: false, array: BigInt64Array },
  'timestamp[us]': { bits: 64, float: false, array: BigInt64Array },
  'timestamp[ns]': { bits: 64, float: false, array: BigInt64Array },
}

/** The smallest sample the candidates are sized on (the whole page when smaller). */
const TRIAL_ROWS = 1024
/** A candidate that shrinks its sample this much (to 1/8 of the raw bytes) is taken without trying the rest. */
const GOOD_ENOUGH = 1 / 8

/** How a numeric type is held, or undefined for `bool`, `str` and unknown names. */
export function numericKind(type: string): NumericKind | undefined {
  return Object.hasOwn(KINDS, type) ? KINDS[type as NumericType] : undefined
}

/** The values of a typed array as Int32 lanes: a view for 32/64-bit types, a zero-extended copy below. */
function lanesOf(kind: NumericKind, values: NumericArray): Int32Array {
  if (kind.bits === 64) return new Int32Array(values.buffer, values.byteOffset, values.length * 2)
  if (kind.bits === 32) return new Int32Array(values.buffer, values.byteOffset, values.length)
  const lanes = new Int32Array(values as ArrayLike<number>)
  const keep = (1 << kind.bits) - 1
  for (let i = 0; i < lanes.length; i++) lanes[i]! &= keep
  return lanes
}

/** Pages of one column between two rankings of the candidates (see `EncodingHint`). */
const RANK_EVERY = 4

/**
 * What the pages of one column pass on to the next: the ranking of the
 * candidates that the last estimate found. Pages of a column mostly rank
 * them alike, so a page reuses the ranking of the page before (when it had
 * the same candidates) and only every `RANK_EVERY`th page estimates afresh:
 * the estimates were a third of the work of encoding a float page.
 */
export interface EncodingHint {
  ranking?: readonly EncodingId[]
  candidates?: string
  pages: number
}

/**
 * Encodes a numeric column. The candidates — exact decimals (floats, when a
 * quick scan finds them), delta, plain byte planes — are ranked by their
 * estimated size on a sample (1/32 of the page, at least 1024 rows), taken
 * in that order of preference and stopping early at one that compresses 8×;
 * the estimate replaces zstd by the planes' byte entropy, so trying costs a
 * fraction of encoding. With a `hint` (one per column, passed to each of its
 * pages in turn), most pages take the ranking of the page before. With
 * `scratch`, the block is a view of it (see `ScratchArea`).
 */
export function encodeNumeric(
  type: NumericType,
  values: NumericArray,
  hint?: EncodingHint,
  scratch?: ScratchArea,
): Uint8Array {
  const kind = KINDS[type]
  const n = values.length
  const lanes = lanesOf(kind, values)
  const decimals = kind.float && n >= 2 ? detectDecimals(values as Float64Array | Float32Array) : undefined
  const candidates: EncodingId[] = []
  if (n >= 2) {
    if (decimals !== undefined) candidates.push(Encoding.Decimal)
    candidates.push(kind.float ? Encoding.FloatDelta : Encoding.Delta)
  }
  candidates.push(Encoding.Planes)
  const sampleRows = Math.min(n, Math.max(TRIAL_ROWS, n >> 5))
  const sample = values.subarray(0, sampleRows)
  const sampleLanes = lanes.subarray(0, kind.bits === 64 ? 2 * sampleRows : sampleRows)
  const goodEnough = sampleRows * (kind.bits >> 3) * GOOD_ENOUGH
  const ranked: { id: EncodingId; size: number }[] = []
  const key = candidates.join()
  const reuse = hint?.ranking !== undefined && hint.candidates === key && hint.pages % RANK_EVERY !== 0
  if (reuse) {
    for (const id of hint.ranking!) ranked.push({ id, size: 0 })
  } else {
    for (const id of candidates) {
      if (candidates.length === 1) break
      const estimate = new ByteWriter(64, true)
      if (!encodeInto(estimate, id, kind, sample, sampleLanes, sampleRows, decimals)) continue
      ranked.push({ id, size: estimate.size })
      if (estimate.size <= goodEnough) break
    }
    ranked.sort((a, b) => a.size - b.size)
    if (hint) {
      hint.ranking = ranked.map((r) => r.id)
      hint.candidates = key
      hint.pages = 0
    }
  }
  if (hint) hint.pages++
  for (const { id } of ranked) {
    const out = new ByteWriter(64 + n * (kind.bits >> 3))
    if (encodeInto(out, id, kind, values, lanes, n, decimals)) return out.finish(scratch)
  }
  // Byte planes take any page.
  const out = new ByteWriter(64 + n * (kind.bits >> 3))
  encodeInto(out, Encoding.Planes, kind, values, lanes, n, decimals)
  return out.finish(scratch)
}

/** Writes the block of `values` in encoding `id`; false when the encoding does not apply (decimals). */
function encodeInto(
  out: ByteWriter,
  id: EncodingId,
  kind: NumericKind,
  values: NumericArray,
  lanes: Int32Array,
  n: number,
  decimals: number | undefined,
): boolean {
  out.u8(id)
  out.varint(n)
  const wide = kind.bits === 64
  if (id === Encoding.Decimal) return encodeDecimals(values as Float64Array | Float32Array, decimals!, out)
  const delta = id !== Encoding.Planes
  const orderMap = id === Encoding.FloatDelta
  if (delta && wide) {
    encodeDelta64(out, lanes, n, orderMap)
    return true
  }
  let source = lanes
  const m = delta ? n - 1 : n
  if (delta) {
    source = laneBuffer(m)
    writeLe(out, orderMap ? orderMapHi(lanes[0]!) : lanes[0]!, kind.bits >> 3)
    deltaEncode32(lanes, n, kind.bits, orderMap, source)
  }
  const planes = planeBuffer(m, wide ? 8 : 4)
  if (wide) {
    shuffleWords(source, 0, 2, m, planes, 0)
    shuffleWords(source, 1, 2, m, planes, 4)
  } else {
    shuffleWords(source, 0, 1, m, planes, 0)
  }
  writePlanes(out, planes, m, wide ? 8 : 4)
  return true
}

/**
 * Decodes the body of a numeric block whose id and row count were read
 * already, into `into` when given: an array of the type's kind, `rows` long
 * and all zero (a view of a larger new array, so that pages decode in place
 * without a copy); into a new array otherwise.
 */
export function decodeNumeric(
  type: string,
  id: number,
  input: ByteReader,
  rows: number,
  into?: NumericArray,
): NumericArray {
  const kind = KINDS[type as NumericType]
  const wide = kind.bits === 64
  const width = kind.bits >> 3
  const result = into ?? new kind.array(rows)
  const lanes =
    wide || kind.bits === 32
      ? new Int32Array(result.buffer, result.byteOffset, wide ? 2 * rows : rows)
      : new Int32Array(rows)
  if (id === Encoding.Decimal && kind.float) {
    if (rows === 0) throw corrupt('a decimal block with no rows')
    decodeDecimals(input, result as Float64Array | Float32Array)
    return result
  }
  const delta = id === Encoding.Delta || (id === Encoding.FloatDelta && kind.float)
  if (!delta && id !== Encoding.Planes) throw corrupt(`encoding ${id} is not one for ${type} columns`)
  if (delta && rows === 0) throw corrupt('a delta-coded block with no rows')
  const orderMap = id === Encoding.FloatDelta
  if (delta && wide) {
    decodeDelta64(input, lanes, rows, orderMap)
    return result
  }
  const start = delta ? 1 : 0
  if (delta) lanes[0] = readLe(input, width)
  const m = rows - start
  const planes = readPlanes(input, m, width)
  if (wide) {
    unshuffleWords(planes, 0, m, lanes, 0, 2)
    // A new array is zero: high planes that were not stored need no copying.
    if (planes.width > 4) unshuffleWords(planes, 4, m, lanes, 1, 2)
  } else {
    unshuffleWords(planes, 0, m, lanes, start, 1)
  }
  if (delta) deltaDecode32(lanes, rows, orderMap)
  if (!wide && kind.bits !== 32) (result as Int8Array).set(lanes)
  return result
}

function writeLe(out: ByteWriter, value: number, bytes: number): void {
  for (let i = 0; i < bytes; i++) out.u8((value >>> (8 * i)) & 0xff)
}

function readLe(input: ByteReader, bytes: number): number {
  let value = 0
  for (let i = 0; i < bytes; i++) value |= input.u8() << (8 * i)
  return value
}
