import type { PlaneBuffer } from './byte-planes.ts'

/**
 * Delta + zigzag on Int32 lanes. Differences wrap around (mod 2^32 per lane,
 * or mod 2^bits for narrower types), so any pair of values round-trips however
 * far apart; zigzag maps small differences of either sign to small unsigned
 * numbers, which leave the high byte planes zero.
 *
 * A 64-bit value is two lanes (lo, hi) of an Int32Array over the same buffer,
 * each differenced on its own: the hi lane's difference is off by the borrow
 * of the lo lane. Measured against one 64-bit difference with borrow, that
 * costs nothing on timestamps and counters and at most 0.016 bytes per value
 * on float random walks, and it removes the serial carry from decoding,
 * which took more time than the rest of the loop. (V8 lowers BigInt64Array
 * arithmetic under BigInt.asIntN(64, …) to machine words: measured on Node
 * 20, delta + zigzag encoding that way is as fast as on lanes, decoding 1.7×
 * slower; the lanes also feed the 32-bit byte shuffle directly.)
 *
 * With `orderMap` the lanes are IEEE floats' bit patterns, first mapped to
 * integers that order like the floats (negative: all bits flipped; positive:
 * sign bit set), so neighbours differ by their distance in ulps, also across
 * zero.
 */

/** Order-maps one 32-bit word (a float32, or the hi lane of a float64). */
export function orderMapHi(word: number): number {
  return word ^ ((word >> 31) | 0x80000000)
}

/** `deltaEncode64` found every delta equal. */
export const UNIFORM = 1
/** `deltaEncode64` found every hi-lane delta zero. */
export const HI_ZERO = 2

/**
 * Writes the zigzag deltas of values 1..n-1 of `src` (lanes lo, hi) to
 * `dst` (2 · (n-1) lanes). Returns `UNIFORM` | `HI_ZERO` as they apply.
 */
export function deltaEncode64(src: Int32Array, n: number, orderMap: boolean, dst: Int32Array): number {
  let pl = src[0]!
  let ph = src[1]!
  if (orderMap) {
    pl ^= ph >> 31
    ph ^= (ph >> 31) | 0x80000000
  }
  let differs = 0
  let his = 0
  for (let k = 1, j = 0; k < n; k++, j += 2) {
    let l = src[2 * k]!
    let h = src[2 * k + 1]!
    if (orderMap) {
      l ^= h >> 31
      h ^= (h >> 31) | 0x80000000
    }
    const dl = (l - pl) | 0
    const dh = (h - ph) | 0
    const zl = (dl << 1) ^ (dl >> 31)
    const zh = (dh << 1) ^ (dh >> 31)
    dst[j] = zl
    dst[j + 1] = zh
    differs |= (zl ^ dst[0]!) | (zh ^ dst[1]!)
    his |= zh
    pl = l
    ph = h
  }
  return (differs === 0 ? UNIFORM : 0) | (his === 0 ? HI_ZERO : 0)
}

/**
 * Inverse of `deltaEncode64`, in place: `lanes` holds the first value (lanes 0
 * and 1, order-mapped when `orderMap`) then the n-1 zigzag deltas; on return
 * it holds the n values.
 */
export function deltaDecode64(lanes: Int32Array, n: number, orderMap: boolean): void {
  let l = lanes[0]!
  let h = lanes[1]!
  if (orderMap) {
    const flip = ~(h >> 31)
    lanes[0] = l ^ flip
    lanes[1] = h ^ (flip | 0x80000000)
  }
  const end = 2 * n
  if (orderMap) {
    for (let j = 2; j < end; j += 2) {
      const zl = lanes[j]!
      const zh = lanes[j + 1]!
      l = (l + ((zl >>> 1) ^ ((zl << 31) >> 31))) | 0
      h = (h + ((zh >>> 1) ^ ((zh << 31) >> 31))) | 0
      const flip = ~(h >> 31)
      lanes[j] = l ^ flip
      lanes[j + 1] = h ^ (flip | 0x80000000)
    }
  } else {
    for (let j = 2; j < end; j += 2) {
      const zl = lanes[j]!
      const zh = lanes[j + 1]!
      l = (l + ((zl >>> 1) ^ ((zl << 31) >> 31))) | 0
      h = (h + ((zh >>> 1) ^ ((zh << 31) >> 31))) | 0
      lanes[j] = l
      lanes[j + 1] = h
    }
  }
}

/**
 * `unshuffleWords` + `deltaDecode64` in one pass, for speed: reads the m =
 * n-1 zigzag deltas from the 8 byte planes of `buffer` and writes values 1..n-1 after the first value already in
 * `lanes` 0 and 1 (order-mapped when `orderMap`, and unmapped on return).
 */
export function unshuffleDelta64(buffer: PlaneBuffer, lanes: Int32Array, n: number, orderMap: boolean): void {
  const { words: planes, stride } = buffer
  let l = lanes[0]!
  let h = lanes[1]!
  if (orderMap) {
    const flip = ~(h >> 31)
    lanes[0] = l ^ flip
    lanes[1] = h ^ (flip | 0x80000000)
  }
  const m = n - 1
  const groups = m >> 2
  const s1 = stride
  const s2 = 2 * stride
  const s3 = 3 * stride
  const s4 = 4 * stride
  const s5 = 5 * stride
  const s6 = 6 * stride
  const s7 = 7 * stride
  let at = 2
  // All ones when unmapping: the hi lane is then flipped as orderMapHi's inverse, the lo lane
  // as its sign says; all zeros keeps both.
  const flip = orderMap ? -1 : 0
  for (let q = 0; q < groups; q++, at += 8) {
    let w0 = planes[q]!
    let w1 = planes[q + s1]!
    let w2 = planes[q + s2]!
    let w3 = planes[q + s3]!
    let t0 = (w0 & 0x00ff00ff) | ((w1 & 0x00ff00ff) << 8)
    let t1 = ((w0 >>> 8) & 0x00ff00ff) | (w1 & 0xff00ff00)
    let t2 = (w2 & 0x00ff00ff) | ((w3 & 0x00ff00ff) << 8)
    let t3 = ((w2 >>> 8) & 0x00ff00ff) | (w3 & 0xff00ff00)
    const l0 = (t0 & 0xffff) | (t2 << 16)
    const l1 = (t1 & 0xffff) | (t3 << 16)
    const l2 = (t0 >>> 16) | (t2 & 0xffff0000)
    const l3 = (t1 >>> 16) | (t3 & 0xffff0000)
    w0 = planes[q + s4]!
    w1 = planes[q + s5]!
    w2 = planes[q + s6]!
    w3 = planes[q + s7]!
    t0 = (w0 & 0x00ff00ff) | ((w1 & 0x00ff00ff) << 8)
    t1 = ((w0 >>> 8) & 0x00ff00ff) | (w1 & 0xff00ff00)
    t2 = (w2 & 0x00ff00ff) | ((w3 & 0x00ff00ff) << 8)
    t3 = ((w2 >>> 8) & 0x00ff00ff) | (w3 & 0xff00ff00)
    const h0 = (t0 & 0xffff) | (t2 << 16)
    const h1 = (t1 & 0xffff) | (t3 << 16)
    const h2 = (t0 >>> 16) | (t2 & 0xffff0000)
    const h3 = (t1 >>> 16) | (t3 & 0xffff0000)
    l = (l + ((l0 >>> 1) ^ ((l0 << 31) >> 31))) | 0
    h = (h + ((h0 >>> 1) ^ ((h0 << 31) >> 31))) | 0
    lanes[at] = l ^ (flip & ~(h >> 31))
    lanes[at + 1] = h ^ (flip & (~(h >> 31) | 0x80000000))
    l = (l + ((l1 >>> 1) ^ ((l1 << 31) >> 31))) | 0
    h = (h + ((h1 >>> 1) ^ ((h1 << 31) >> 31))) | 0
    lanes[at + 2] = l ^ (flip & ~(h >> 31))
    lanes[at + 3] = h ^ (flip & (~(h >> 31) | 0x80000000))
    l = (l + ((l2 >>> 1) ^ ((l2 << 31) >> 31))) | 0
    h = (h + ((h2 >>> 1) ^ ((h2 << 31) >> 31))) | 0
    lanes[at + 4] = l ^ (flip & ~(h >> 31))
    lanes[at + 5] = h ^ (flip & (~(h >> 31) | 0x80000000))
    l = (l + ((l3 >>> 1) ^ ((l3 << 31) >> 31))) | 0
    h = (h + ((h3 >>> 1) ^ ((h3 << 31) >> 31))) | 0
    lanes[at + 6] = l ^ (flip & ~(h >> 31))
    lanes[at + 7] = h ^ (flip & (~(h >> 31) | 0x80000000))
  }
  for (let i = 0; i < (m & 3); i++, at += 2) {
    const shift = 8 * i
    const q = groups
    const zl =
      ((planes[q]! >>> shift) & 0xff) |
      (((planes[q + s1]! >>> shift) & 0xff) << 8) |
      (((planes[q + s2]! >>> shift) & 0xff) << 16) |
      (((planes[q + s3]! >>> shift) & 0xff) << 24)
    const zh =
      ((planes[q + s4]! >>> shift) & 0xff) |
      (((planes[q + s5]! >>> shift) & 0xff) << 8) |
      (((planes[q + s6]! >>> shift) & 0xff) << 16) |
      (((planes[q + s7]! >>> shift) & 0xff) << 24)
    l = (l + ((zl >>> 1) ^ ((zl << 31) >> 31))) | 0
    h = (h + ((zh >>> 1) ^ ((zh << 31) >> 31))) | 0
    lanes[at] = l ^ (flip & ~(h >> 31))
    lanes[at + 1] = h ^ (flip & (~(h >> 31) | 0x80000000))
  }
}

/**
 * `unshuffleDelta64` when the hi-lane deltas are all zero (at most 4 planes
 * stored): the hi lane keeps the first value's, and only the lo lane is
 * gathered and summed.
 */
export function unshuffleDeltaLo64(
  buffer: PlaneBuffer,
  lanes: Int32Array,
  n: number,
  orderMap: boolean,
): void {
  const { words: planes, stride } = buffer
  let l = lanes[0]!
  const h = lanes[1]!
  // Unmapping masks, fixed since the hi lane is: see unshuffleDelta64.
  const flipLo = orderMap ? ~(h >> 31) : 0
  const hi = orderMap ? h ^ (~(h >> 31) | 0x80000000) : h
  lanes[0] = l ^ flipLo
  lanes[1] = hi
  const m = n - 1
  const groups = m >> 2
  const s1 = stride
  const s2 = 2 * stride
  const s3 = 3 * stride
  let at = 2
  for (let q = 0; q < groups; q++, at += 8) {
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
    l = (l + ((z0 >>> 1) ^ ((z0 << 31) >> 31))) | 0
    lanes[at] = l ^ flipLo
    lanes[at + 1] = hi
    l = (l + ((z1 >>> 1) ^ ((z1 << 31) >> 31))) | 0
    lanes[at + 2] = l ^ flipLo
    lanes[at + 3] = hi
    l = (l + ((z2 >>> 1) ^ ((z2 << 31) >> 31))) | 0
    lanes[at + 4] = l ^ flipLo
    lanes[at + 5] = hi
    l = (l + ((z3 >>> 1) ^ ((z3 << 31) >> 31))) | 0
    lanes[at + 6] = l ^ flipLo
    lanes[at + 7] = hi
  }
  for (let i = 0; i < (m & 3); i++, at += 2) {
    const shift = 8 * i
    const z =
      ((planes[groups]! >>> shift) & 0xff) |
      (((planes[groups + s1]! >>> shift) & 0xff) << 8) |
      (((planes[groups + s2]! >>> shift) & 0xff) << 16) |
      (((planes[groups + s3]! >>> shift) & 0xff) << 24)
    l = (l + ((z >>> 1) ^ ((z << 31) >> 31))) | 0
    lanes[at] = l ^ flipLo
    lanes[at + 1] = hi
  }
}

/**
 * `deltaDecode64` for deltas that are all the same zigzag lanes `zl`, `zh`
 * (regular timestamps): an arithmetic progression from lanes 0 and 1.
 */
export function deltaDecodeUniform64(
  lanes: Int32Array,
  n: number,
  zl: number,
  zh: number,
  orderMap: boolean,
): void {
  const dl = (zl >>> 1) ^ ((zl << 31) >> 31)
  const dh = (zh >>> 1) ^ ((zh << 31) >> 31)
  let l = lanes[0]!
  let h = lanes[1]!
  const end = 2 * n
  for (let j = 2; j < end; j += 2) {
    l = (l + dl) | 0
    h = (h + dh) | 0
    lanes[j] = l
    lanes[j + 1] = h
  }
  if (orderMap) {
    for (let j = 0; j < end; j += 2) {
      const flip = ~(lanes[j + 1]! >> 31)
      lanes[j]! ^= flip
      lanes[j + 1]! ^= flip | 0x80000000
    }
  }
}

/**
 * Writes the zigzag deltas of values 1..n-1 of `src` to `dst`, wrapping at
 * `bits` (8, 16 or 32) so they fit the type's width.
 */
export function deltaEncode32(
  src: Int32Array,
  n: number,
  bits: number,
  orderMap: boolean,
  dst: Int32Array,
): void {
  const shift = 32 - bits
  let previous = orderMap ? orderMapHi(src[0]!) : src[0]!
  for (let k = 1; k < n; k++) {
    const v = orderMap ? orderMapHi(src[k]!) : src[k]!
    const d = ((v - previous) << shift) >> shift
    dst[k - 1] = (d << 1) ^ (d >> 31)
    previous = v
  }
}

/** Inverse of `deltaEncode32`, in place (lane 0 the first value as stored, then n-1 zigzag deltas). */
export function deltaDecode32(lanes: Int32Array, n: number, orderMap: boolean): void {
  let v = lanes[0]!
  if (orderMap) lanes[0] = v ^ (~(v >> 31) | 0x80000000)
  for (let k = 1; k < n; k++) {
    const z = lanes[k]!
    v = (v + ((z >>> 1) ^ ((z << 31) >> 31))) | 0
    lanes[k] = orderMap ? v ^ (~(v >> 31) | 0x80000000) : v
  }
}
