import { type ByteReader, type ByteWriter, corrupt } from './byte-io.ts'
import { laneBuffer, planeBuffer, readPlanes, writePlanes } from './byte-planes.ts'
import { shuffleWords, unshuffleWords } from './byte-shuffle.ts'

/**
 * Exact decimals: floats that are all k / 10^d for one small d (prices in
 * cents, readings to 0.1) are stored as the integers k, delta + zigzag coded
 * into byte planes. Decoding computes the same k / 10^d (rounded to float32
 * for float32 columns) that the encoder checked against every value, so the
 * round trip is bit-exact; values that fail the check (NaN, ±Infinity, -0,
 * more digits, |k| ≥ 2^52) are kept as exceptions with their raw bits, up to
 * a budget beyond which the caller falls back to a float encoding.
 *
 * Body: d (u8), exception count, exception positions (varint gaps), their raw
 * bits (4 or 8 bytes each), k of the first value (two int32 lanes), then a
 * plane section of the n-1 zigzag deltas of k.
 */

export const MAX_DECIMALS = 6
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6]
// Below 2^52, k and every difference of two k's are exact doubles.
const MAX_K = 2 ** 52
const TWO_32 = 4294967296
const SAMPLE = 128

type FloatArray = Float64Array | Float32Array

/** The fewest decimals d ≤ 6 with x === k / 10^d exactly, or -1. */
function decimalsOf(x: number, single: boolean): number {
  if (x === 0) return 1 / x > 0 ? 0 : -1
  for (let d = 0; d <= MAX_DECIMALS; d++) {
    const p = POW10[d]!
    const k = Math.round(x * p)
    if (!(Math.abs(k) < MAX_K)) return -1
    if ((single ? Math.fround(k / p) : k / p) === x) return d
  }
  return -1
}

function exceptionBudget(n: number): number {
  return 4 + (n >> 6)
}

/**
 * The number of decimals a sample of `values` needs, or undefined when too
 * many sampled values are not short decimals. Cheap: looks at ≤ 128 values.
 */
export function detectDecimals(values: FloatArray): number | undefined {
  const n = values.length
  if (n === 0) return undefined
  const single = values instanceof Float32Array
  const step = Math.max(1, Math.floor(n / SAMPLE))
  let decimals = 0
  let misses = 0
  let seen = 0
  for (let i = 0; i < n; i += step) {
    seen++
    const d = decimalsOf(values[i]!, single)
    if (d < 0) misses++
    else if (d > decimals) decimals = d
  }
  return misses * 16 > seen ? undefined : decimals
}

/**
 * Writes the decimal body of `values` with `decimals` digits. Returns false
 * (having written nothing) when more values than the budget are not exact.
 */
export function encodeDecimals(values: FloatArray, decimals: number, out: ByteWriter): boolean {
  const n = values.length
  const single = values instanceof Float32Array
  const p = POW10[decimals]!
  const m = Math.max(0, n - 1)
  const lanes = laneBuffer(2 * m)
  const budget = exceptionBudget(n)
  const exceptions: number[] = []
  let previous = 0
  let first = 0
  for (let i = 0; i < n; i++) {
    const x = values[i]!
    let k = Math.round(x * p) + 0
    if (!(Math.abs(k) < MAX_K) || (single ? Math.fround(k / p) : k / p) !== x || (x === 0 && 1 / x < 0)) {
      exceptions.push(i)
      if (exceptions.length > budget) return false
      k = previous
    }
    if (i === 0) {
      first = k
      previous = k
      continue
    }
    const d = k - previous
    previous = k
    let dl: number
    let dh: number
    if (d >= -2147483648 && d <= 2147483647) {
      dl = d | 0
      dh = dl >> 31
    } else {
      dl = d >>> 0
      dh = Math.floor(d / TWO_32) | 0
    }
    const sign = dh >> 31
    lanes[2 * i - 2] = (dl << 1) ^ sign
    lanes[2 * i - 1] = ((dh << 1) | (dl >>> 31)) ^ sign
  }
  out.u8(decimals)
  out.varint(exceptions.length)
  let at = 0
  for (const position of exceptions) {
    out.varint(position - at)
    at = position
  }
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const width = values.BYTES_PER_ELEMENT
  for (const position of exceptions) out.bytes(raw.subarray(position * width, (position + 1) * width))
  writeInt64(out, first)
  const planes = planeBuffer(m, 8)
  shuffleWords(lanes, 0, 2, m, planes, 0)
  shuffleWords(lanes, 1, 2, m, planes, 4)
  writePlanes(out, planes, m, 8)
  return true
}

/** Inverse of `encodeDecimals` into `out` (its length is the row count, at least 1). */
export function decodeDecimals(input: ByteReader, out: FloatArray): void {
  const n = out.length
  const decimals = input.u8()
  if (decimals > MAX_DECIMALS) throw corrupt(`${decimals} decimals, more than ${MAX_DECIMALS}`)
  const p = POW10[decimals]!
  const count = input.varint(n)
  const positions = new Array<number>(count)
  let at = 0
  for (let e = 0; e < count; e++) {
    at += input.varint(n)
    if (at >= n || (e > 0 && at === positions[e - 1]))
      throw corrupt('exception positions out of order or range')
    positions[e] = at
  }
  const width = out.BYTES_PER_ELEMENT
  const exceptionBits = input.bytes(count * width)
  let k = readInt64(input)
  const m = n - 1
  const planes = readPlanes(input, m, 8)
  out[0] = k / p
  if (planes.width <= 4) {
    const lanes = laneBuffer(m)
    unshuffleWords(planes, 0, m, lanes, 0, 1)
    for (let j = 0; j < m; j++) {
      const zl = lanes[j]!
      k += (zl >>> 1) ^ ((zl << 31) >> 31)
      out[j + 1] = k / p
    }
  } else {
    const lanes = laneBuffer(2 * m)
    unshuffleWords(planes, 0, m, lanes, 0, 2)
    unshuffleWords(planes, 4, m, lanes, 1, 2)
    for (let j = 0; j < m; j++) {
      const zl = lanes[2 * j]!
      const zh = lanes[2 * j + 1]!
      const sign = (zl << 31) >> 31
      const dl = ((zl >>> 1) | (zh << 31)) ^ sign
      const dh = (zh >>> 1) ^ sign
      k += dh * TWO_32 + (dl >>> 0)
      out[j + 1] = k / p
    }
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  for (let e = 0; e < count; e++) {
    bytes.set(exceptionBits.subarray(e * width, (e + 1) * width), positions[e]! * width)
  }
}

function writeInt64(out: ByteWriter, value: number): void {
  const lanes = new Int32Array([value >>> 0, Math.floor(value / TWO_32)])
  out.bytes(new Uint8Array(lanes.buffer))
}

function readInt64(input: ByteReader): number {
  const bytes = input.bytes(8)
  const lanes = new Int32Array(bytes.slice().buffer)
  return lanes[1]! * TWO_32 + (lanes[0]! >>> 0)
}
