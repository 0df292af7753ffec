import { type ByteReader, type ByteWriter, corrupt } from './byte-io.ts'
import {
  laneBuffer,
  laneBytesLookRandom,
  type PlaneBuffer,
  planeBuffer,
  readPlanes,
  writePlanes,
} from './byte-planes.ts'
import { shuffleWords } from './byte-shuffle.ts'
import {
  deltaDecodeUniform64,
  deltaEncode64,
  HI_ZERO,
  orderMapHi,
  UNIFORM,
  unshuffleDelta64,
  unshuffleDeltaLo64,
} from './delta-zigzag.ts'

/**
 * The body of `Delta` (64-bit integers, timestamps) and `FloatDelta`
 * (float64, order-mapped) blocks of n ≥ 1 values:
 *
 *     flags (u8) | first value (lo, hi lanes; 8 bytes) |
 *       LO_RAW: lo lanes of values 1..n-1 (4 bytes each) | plane section of the hi-lane deltas
 *       else:   plane section of the lo- and hi-lane deltas (8 planes)
 *
 * `LO_RAW` is chosen when the lo-lane deltas are noise in every byte (a
 * float random walk with steps above 2^32 ulps): their own values are just
 * as random, so they are stored as they are, and decoding skips their
 * shuffle and prefix sum — about half the work for no change in size.
 */
const LO_RAW = 1
const SAMPLE = 1024

export function encodeDelta64(out: ByteWriter, lanes: Int32Array, n: number, orderMap: boolean): void {
  const m = n - 1
  if (!orderMap && m > 0 && uniformDeltas(lanes, n)) {
    // Regular timestamps: the layout below, found without computing every delta.
    out.u8(0)
    writeWord(out, lanes[0]!)
    writeWord(out, lanes[1]!)
    const dl = (lanes[2]! - lanes[0]!) | 0
    const dh = (lanes[3]! - lanes[1]!) | 0
    const zl = (dl << 1) ^ (dl >> 31)
    const zh = (dh << 1) ^ (dh >> 31)
    const planes = planeBuffer(m, 8)
    for (let j = 0; j < 8; j++) {
      const byte = ((j < 4 ? zl : zh) >>> (8 * (j & 3))) & 0xff
      planes.stats[j] = byte
      planes.stats[8 + j] = byte
    }
    writePlanes(out, planes, m, 8)
    return
  }
  const loRaw = loDeltasLookRandom(lanes, n, orderMap)
  const hi = lanes[1]!
  out.u8(loRaw ? LO_RAW : 0)
  writeWord(out, orderMap ? lanes[0]! ^ (hi >> 31) : lanes[0]!)
  writeWord(out, orderMap ? orderMapHi(hi) : hi)
  const planes = planeBuffer(m, 8)
  if (loRaw) {
    const los = laneBuffer(m)
    // All ones when order-mapping: orderMapHi inlined (an imported function here costs 5× the
    // loop under some loaders).
    const map = orderMap ? -1 : 0
    const groups = m >> 2
    const last = loRawGroups(lanes, groups, hi ^ (map & ((hi >> 31) | 0x80000000)), map, los, planes)
    loRawRest(lanes, groups, m & 3, last, map, los, planes)
    out.bytes(new Uint8Array(los.buffer, 0, 4 * m))
    writePlanes(out, planes, m, 4)
    return
  }
  const deltas = laneBuffer(2 * m)
  const found = deltaEncode64(lanes, n, orderMap, deltas)
  if (found & UNIFORM && m > 0) {
    // Every delta the same (regular timestamps): constant planes, nothing to shuffle.
    for (let j = 0; j < 8; j++) {
      const byte = (deltas[j >> 2]! >>> (8 * (j & 3))) & 0xff
      planes.stats[j] = byte
      planes.stats[8 + j] = byte
    }
    writePlanes(out, planes, m, 8)
  } else if (found & HI_ZERO) {
    // Irregular timestamps, counters: the hi-lane planes would all be zero.
    shuffleWords(deltas, 0, 2, m, planes, 0)
    writePlanes(out, planes, m, 4)
  } else {
    shuffleWords(deltas, 0, 2, m, planes, 0)
    shuffleWords(deltas, 1, 2, m, planes, 4)
    writePlanes(out, planes, m, 8)
  }
}

/**
 * The whole groups of 4 values of the `LO_RAW` layout in one pass: the lo
 * lanes of values 1..4·groups copied to `los`, the zigzag deltas of their
 * (mapped) hi lanes shuffled straight into byte planes 0–3 of `planes` (as
 * `shuffleWords` would, with its stats) — no array of deltas in between.
 * Returns the last hi lane, mapped.
 */
function loRawGroups(
  lanes: Int32Array,
  groups: number,
  first: number,
  map: number,
  los: Int32Array,
  buffer: PlaneBuffer,
): number {
  const { words: planes, stride, stats } = buffer
  const s2 = 2 * stride
  const s3 = 3 * stride
  let p = first
  let or0 = 0
  let or1 = 0
  let or2 = 0
  let or3 = 0
  let and0 = -1
  let and1 = -1
  let and2 = -1
  let and3 = -1
  for (let q = 0, k = 0, at = 2; q < groups; q++, k += 4, at += 8) {
    const a = lanes[at + 1]!
    const b = lanes[at + 3]!
    const c = lanes[at + 5]!
    const e = lanes[at + 7]!
    los[k] = lanes[at]!
    los[k + 1] = lanes[at + 2]!
    los[k + 2] = lanes[at + 4]!
    los[k + 3] = lanes[at + 6]!
    const ha = a ^ (map & ((a >> 31) | 0x80000000))
    const hb = b ^ (map & ((b >> 31) | 0x80000000))
    const hc = c ^ (map & ((c >> 31) | 0x80000000))
    const he = e ^ (map & ((e >> 31) | 0x80000000))
    const d0 = (ha - p) | 0
    const d1 = (hb - ha) | 0
    const d2 = (hc - hb) | 0
    const d3 = (he - hc) | 0
    p = he
    const w0 = (d0 << 1) ^ (d0 >> 31)
    const w1 = (d1 << 1) ^ (d1 >> 31)
    const w2 = (d2 << 1) ^ (d2 >> 31)
    const w3 = (d3 << 1) ^ (d3 >> 31)
    const t0 = (w0 & 0x00ff00ff) | ((w1 & 0x00ff00ff) << 8)
    const t1 = ((w0 >>> 8) & 0x00ff00ff) | (w1 & 0xff00ff00)
    const t2 = (w2 & 0x00ff00ff) | ((w3 & 0x00ff00ff) << 8)
    const t3 = ((w2 >>> 8) & 0x00ff00ff) | (w3 & 0xff00ff00)
    const c0 = (t0 & 0xffff) | (t2 << 16)
    const c1 = (t1 & 0xffff) | (t3 << 16)
    const c2 = (t0 >>> 16) | (t2 & 0xffff0000)
    const c3 = (t1 >>> 16) | (t3 & 0xffff0000)
    planes[q] = c0
    planes[stride + q] = c1
    planes[s2 + q] = c2
    planes[s3 + q] = c3
    or0 |= c0
    or1 |= c1
    or2 |= c2
    or3 |= c3
    and0 &= c0
    and1 &= c1
    and2 &= c2
    and3 &= c3
  }
  stats[0] = or0
  stats[1] = or1
  stats[2] = or2
  stats[3] = or3
  stats[8] = and0
  stats[9] = and1
  stats[10] = and2
  stats[11] = and3
  return p
}

/**
 * The last `rest` (< 4) values of the `LO_RAW` layout after `groups` whole
 * groups, into the last word of each plane (zero padded); then folds the
 * words of OR and AND that `loRawGroups` left in `stats` into per-plane bytes.
 */
function loRawRest(
  lanes: Int32Array,
  groups: number,
  rest: number,
  previous: number,
  map: number,
  los: Int32Array,
  buffer: PlaneBuffer,
): void {
  const { words: planes, stride, stats } = buffer
  if (rest !== 0) {
    let p = previous
    let p0 = 0
    let p1 = 0
    let p2 = 0
    let p3 = 0
    for (let i = 0, k = 4 * groups, at = 2 + 8 * groups; i < rest; i++, k++, at += 2) {
      const w = lanes[at + 1]!
      const h = w ^ (map & ((w >> 31) | 0x80000000))
      const d = (h - p) | 0
      const z = (d << 1) ^ (d >> 31)
      p = h
      los[k] = lanes[at]!
      const shift = 8 * i
      p0 |= (z & 0xff) << shift
      p1 |= ((z >>> 8) & 0xff) << shift
      p2 |= ((z >>> 16) & 0xff) << shift
      p3 |= (z >>> 24) << shift
    }
    planes[groups] = p0
    planes[stride + groups] = p1
    planes[2 * stride + groups] = p2
    planes[3 * stride + groups] = p3
    // The padding bytes are zero in the plane; for the AND they must not count.
    const padding = -1 << (8 * rest)
    stats[0]! |= p0
    stats[1]! |= p1
    stats[2]! |= p2
    stats[3]! |= p3
    stats[8]! &= p0 | padding
    stats[9]! &= p1 | padding
    stats[10]! &= p2 | padding
    stats[11]! &= p3 | padding
  }
  for (let j = 0; j < 4; j++) {
    const or = stats[j]!
    const and = stats[8 + j]!
    stats[j] = (or | (or >>> 8) | (or >>> 16) | (or >>> 24)) & 0xff
    stats[8 + j] = and & (and >>> 8) & (and >>> 16) & (and >>> 24) & 0xff
  }
}

/** Whether every value of `lanes` (lo, hi pairs) differs from the one before by the same lane deltas. */
function uniformDeltas(lanes: Int32Array, n: number): boolean {
  const dl = (lanes[2]! - lanes[0]!) | 0
  const dh = (lanes[3]! - lanes[1]!) | 0
  for (let j = 4, end = 2 * n; j < end; j += 2) {
    if (((lanes[j]! - lanes[j - 2]!) | 0) !== dl || ((lanes[j + 1]! - lanes[j - 1]!) | 0) !== dh) return false
  }
  return true
}

/** Whether the lo-lane deltas look like noise in all four bytes, judged on a sample of ~1024. */
function loDeltasLookRandom(lanes: Int32Array, n: number, orderMap: boolean): boolean {
  const count = Math.min(n - 1, SAMPLE)
  if (count < SAMPLE) return false
  const sample = laneBuffer(count)
  const step = Math.floor((n - 1) / count)
  for (let i = 0, k = 1; i < count; i++, k += step) {
    let l = lanes[2 * k]!
    let p = lanes[2 * k - 2]!
    if (orderMap) {
      l ^= lanes[2 * k + 1]! >> 31
      p ^= lanes[2 * k - 1]! >> 31
    }
    const d = (l - p) | 0
    sample[i] = (d << 1) ^ (d >> 31)
  }
  return laneBytesLookRandom(sample, count)
}

/** Inverse of `encodeDelta64` into `lanes` (2n words, zero on entry). */
export function decodeDelta64(input: ByteReader, lanes: Int32Array, n: number, orderMap: boolean): void {
  const flags = input.u8()
  if ((flags & ~LO_RAW) !== 0) throw corrupt(`unknown delta flags ${flags}`)
  lanes[0] = readWord(input)
  lanes[1] = readWord(input)
  const m = n - 1
  if (flags === LO_RAW) {
    const staged = laneBuffer(m)
    new Uint8Array(staged.buffer, 0, 4 * m).set(input.bytes(4 * m))
    unshuffleLoRaw(readPlanes(input, m, 4), staged, lanes, n, orderMap)
    return
  }
  const planes = readPlanes(input, m, 8, false)
  if (planes.uniform) {
    // Every delta the same (regular timestamps): the planes' bytes are in stats, nothing to gather.
    const { stats } = planes
    const zl = stats[0]! | (stats[1]! << 8) | (stats[2]! << 16) | (stats[3]! << 24)
    const zh = stats[4]! | (stats[5]! << 8) | (stats[6]! << 16) | (stats[7]! << 24)
    deltaDecodeUniform64(lanes, n, zl, zh, orderMap)
  } else if (planes.width <= 4) {
    unshuffleDeltaLo64(planes, lanes, n, orderMap)
  } else {
    unshuffleDelta64(planes, lanes, n, orderMap)
  }
}

/**
 * Decodes the `LO_RAW` layout in one pass: the hi-lane zigzag deltas from 4
 * byte planes, prefix-summed (and unmapped), beside the lo lanes from `lo`.
 */
function unshuffleLoRaw(
  buffer: PlaneBuffer,
  lo: Int32Array,
  lanes: Int32Array,
  n: number,
  orderMap: boolean,
): void {
  let h = lanes[1]!
  if (orderMap) {
    const flip = ~(h >> 31)
    lanes[0]! ^= flip
    lanes[1] = h ^ (flip | 0x80000000)
  }
  const m = n - 1
  const groups = m >> 2
  // All ones when unmapping: the hi lane is then flipped as orderMapHi's inverse, else kept.
  const flip = orderMap ? -1 : 0
  h = unshuffleLoRawGroups(buffer.words, buffer.stride, groups, lo, lanes, h, flip)
  unshuffleLoRawRest(buffer.words, buffer.stride, groups, m & 3, lo, lanes, h, flip)
}

/**
 * The whole groups of 4 values of `unshuffleLoRaw`; returns the last hi lane
 * (mapped). Nothing follows the loop: V8 compiles this function while the loop
 * runs (on-stack replacement), before code after the loop has ever run, and
 * such code, lacking type feedback, used to throw the optimized code away on
 * almost every page.
 */
function unshuffleLoRawGroups(
  planes: Int32Array,
  stride: number,
  groups: number,
  lo: Int32Array,
  lanes: Int32Array,
  first: number,
  flip: number,
): number {
  let h = first
  const s1 = stride
  const s2 = 2 * stride
  const s3 = 3 * stride
  for (let q = 0, at = 2, k = 0; q < groups; q++, at += 8, k += 4) {
    const w0 = planes[q]!
    const w1 = planes[q + s1]!
    const w2 = planes[q + s2]!
    const w3 = planes[q + s3]!
    const t0 = (w0 & 0x00ff00ff) | ((w1 & 0x00ff00ff) << 8)
    const t1 = ((w0 >>> 8) & 0x00ff00ff) | (w1 & 0xff00ff00)
    const t2 = (w2 & 0x00ff00ff) | ((w3 & 0x00ff00ff) << 8)
    const t3 = ((w2 >>> 8) & 0x00ff00ff) | (w3 & 0xff00ff00)
    const z0 = (t0 & 0xffff) | (t2 << 16)
    const z1 = (t1 & 0xffff) | (t3 << 16)
    const z2 = (t0 >>> 16) | (t2 & 0xffff0000)
    const z3 = (t1 >>> 16) | (t3 & 0xffff0000)
    h = (h + ((z0 >>> 1) ^ ((z0 << 31) >> 31))) | 0
    lanes[at] = lo[k]!
    lanes[at + 1] = h ^ (flip & (~(h >> 31) | 0x80000000))
    h = (h + ((z1 >>> 1) ^ ((z1 << 31) >> 31))) | 0
    lanes[at + 2] = lo[k + 1]!
    lanes[at + 3] = h ^ (flip & (~(h >> 31) | 0x80000000))
    h = (h + ((z2 >>> 1) ^ ((z2 << 31) >> 31))) | 0
    lanes[at + 4] = lo[k + 2]!
    lanes[at + 5] = h ^ (flip & (~(h >> 31) | 0x80000000))
    h = (h + ((z3 >>> 1) ^ ((z3 << 31) >> 31))) | 0
    lanes[at + 6] = lo[k + 3]!
    lanes[at + 7] = h ^ (flip & (~(h >> 31) | 0x80000000))
  }
  return h
}

/** The last `rest` (< 4) values of `unshuffleLoRaw`, after `groups` whole groups. */
function unshuffleLoRawRest(
  planes: Int32Array,
  stride: number,
  groups: number,
  rest: number,
  lo: Int32Array,
  lanes: Int32Array,
  last: number,
  flip: number,
): void {
  let h = last
  for (let i = 0, k = 4 * groups, at = 2 + 8 * groups; i < rest; i++, k++, at += 2) {
    const shift = 8 * i
    const z =
      ((planes[groups]! >>> shift) & 0xff) |
      (((planes[groups + stride]! >>> shift) & 0xff) << 8) |
      (((planes[groups + 2 * stride]! >>> shift) & 0xff) << 16) |
      (((planes[groups + 3 * stride]! >>> shift) & 0xff) << 24)
    h = (h + ((z >>> 1) ^ ((z << 31) >> 31))) | 0
    lanes[at] = lo[k]!
    lanes[at + 1] = h ^ (flip & (~(h >> 31) | 0x80000000))
  }
}

function writeWord(out: ByteWriter, word: number): void {
  out.u8(word & 0xff)
  out.u8((word >>> 8) & 0xff)
  out.u8((word >>> 16) & 0xff)
  out.u8(word >>> 24)
}

function readWord(input: ByteReader): number {
  return input.u8() | (input.u8() << 8) | (input.u8() << 16) | (input.u8() << 24)
}
