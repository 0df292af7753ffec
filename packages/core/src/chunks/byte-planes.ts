import { type ByteReader, type ByteWriter, corrupt } from './byte-io.ts'
import { compress, decompressInto } from './compression.ts'

/**
 * Byte planes: values seen as 32- or 64-bit little-endian integers, stored
 * byte position by byte position (see byte-shuffle.ts). After a delta the high
 * planes are nearly constant and the low ones nearly random, so each plane is
 * stored on its own — constant, raw, or zstd. One zstd stream over all planes
 * would share one Huffman table between random and skewed bytes, which costs
 * 0.1–0.4 bytes per value on float random walks (bench/codec.ts). A plane whose
 * bytes all fit in 1, 2 or 4 bits is bit-packed before zstd, because zstd's
 * Huffman coder spends at least one bit per byte.
 *
 * Section layout: width w (u8: planes above w are zero), then per plane a
 * mode byte — low nibble the storage (0 raw, 1 zstd, 2 constant), high nibble
 * the bits per value when packed (1, 2 or 4; 0 for whole bytes) — followed by
 * the constant byte, the raw bytes, or a varint length and a zstd frame.
 */
const RAW = 0
const ZSTD = 1
const CONSTANT = 2

/** Planes in one word array: plane j starts at word j · stride; its first m bytes are used. */
export interface PlaneBuffer {
  readonly words: Int32Array
  readonly bytes: Uint8Array
  /** Words per plane: ⌈m / 4⌉. */
  readonly stride: number
  /** Per plane the OR (0–7) and AND (8–15) of its bytes, filled by `shuffleWords` (by `readPlanes` for constant and absent planes only). */
  readonly stats: Int32Array
}

let planeWords = new Int32Array(0)
const planeStats = new Int32Array(16)
let laneWords = new Int32Array(0)

/**
 * A reused buffer for `planes` planes of `m` bytes. Valid until the next
 * call: encoders fill it and hand it to `writePlanes`; `readPlanes` returns it.
 */
export function planeBuffer(m: number, planes: number): PlaneBuffer {
  const stride = (m + 3) >> 2
  if (planeWords.length < stride * planes)
    planeWords = new Int32Array(Math.max(stride * planes, planeWords.length * 2))
  return { words: planeWords, bytes: new Uint8Array(planeWords.buffer), stride, stats: planeStats }
}

/** A reused word buffer of at least `size` words (transform output before shuffling). */
export function laneBuffer(size: number): Int32Array {
  if (laneWords.length < size) laneWords = new Int32Array(Math.max(size, laneWords.length * 2))
  return laneWords
}

/**
 * Writes planes 0..`planes`-1 of `buffer` (m bytes each, filled by
 * `shuffleWords`) as a plane section, dropping zero planes at the top and
 * choosing per plane among constant, raw, zstd and bit-packed + zstd.
 */
export function writePlanes(out: ByteWriter, buffer: PlaneBuffer, m: number, planes: number): void {
  const { bytes, stride, stats } = buffer
  let width = 0
  if (m > 0) for (let j = 0; j < planes; j++) if (stats[j] !== 0) width = j + 1
  out.u8(width)
  for (let j = 0; j < width; j++) {
    const or = stats[j]!
    if (or === stats[8 + j]) {
      out.u8(CONSTANT)
      out.u8(or)
      continue
    }
    const plane = bytes.subarray(4 * j * stride, 4 * j * stride + m)
    if (out.estimating) {
      // zstd's Huffman stage gets close to the order-0 entropy on planes; a frame costs ~12 bytes.
      out.u8(ZSTD)
      out.skip(Math.min(m, Math.ceil((sampleEntropy(plane) * m) / 8) + 12))
      continue
    }
    const bits = or < 2 ? 1 : or < 4 ? 2 : or < 16 ? 4 : 8
    const data = bits === 8 ? plane : packBits(plane, bits)
    const packedMode = bits === 8 ? 0 : bits << 4
    const compressed = looksRandom(data) ? data : compress(data)
    // Raw unless zstd saves more than 1/64: decoding a raw plane is a copy, not a decompression.
    if (compressed.length + 4 < data.length - (data.length >> 6)) {
      out.u8(packedMode | ZSTD)
      out.varint(compressed.length)
      out.bytes(compressed)
    } else {
      out.u8(packedMode | RAW)
      out.bytes(data)
    }
  }
}

/**
 * Reads a plane section of `m` values at most `maxWidth` bytes wide into the
 * shared plane buffer and returns it with the stored width, and whether every
 * plane is constant (all m values equal). Planes from the width up to the
 * next multiple of 4 are zero; the caller skips planes 4–7 (the high words)
 * when the width is 4 or less. A constant plane's byte is also left in
 * `stats` (as its OR and AND). With `fillUniform` false, a uniform section
 * is not spread over the buffer: its bytes are only in `stats` (0 from the
 * width up), which is all a caller decoding equal values needs.
 */
export function readPlanes(
  input: ByteReader,
  m: number,
  maxWidth: number,
  fillUniform = true,
): PlaneBuffer & { width: number; uniform: boolean } {
  const width = input.u8()
  if (width > maxWidth) throw corrupt(`${width} byte planes where at most ${maxWidth} fit the type`)
  const planes = width > 4 ? 8 : 4
  const buffer = planeBuffer(m, planes)
  const { words, bytes, stride, stats } = buffer
  let uniform = true
  let constant = 0
  for (let j = 0; j < width; j++) {
    const target = bytes.subarray(4 * j * stride, 4 * j * stride + m)
    const mode = input.u8()
    const storage = mode & 0x0f
    const bits = mode >> 4 || 8
    if (storage > CONSTANT || (bits !== 8 && bits !== 1 && bits !== 2 && bits !== 4)) {
      throw corrupt(`unknown byte plane mode ${mode}`)
    }
    if (storage === CONSTANT) {
      if (bits !== 8) throw corrupt(`unknown byte plane mode ${mode}`)
      const byte = input.u8()
      stats[j] = byte
      stats[8 + j] = byte
      constant |= 1 << j
      continue
    }
    uniform = false
    const length = bits === 8 ? m : Math.ceil((m * bits) / 8)
    let data: Uint8Array
    if (storage === RAW) {
      data = input.bytes(length)
      if (bits === 8) {
        target.set(data)
        continue
      }
    } else {
      const frame = input.bytes(input.varint(input.remaining))
      data = bits === 8 ? target : packedScratch(length)
      decompressInto(data, frame)
      if (bits === 8) continue
    }
    unpackBits(data, bits, target)
  }
  for (let j = width; j < 8; j++) {
    stats[j] = 0
    stats[8 + j] = 0
  }
  if (uniform && !fillUniform) return { ...buffer, width, uniform }
  for (let j = 0; j < width; j++) {
    if (constant & (1 << j)) bytes.fill(stats[j]!, 4 * j * stride, 4 * j * stride + m)
  }
  words.fill(0, width * stride, planes * stride)
  return { ...buffer, width, uniform }
}

let packed = new Uint8Array(0)

/** A reused buffer for a bit-packed plane on its way from zstd to `unpackBits`: valid until the next call. */
function packedScratch(length: number): Uint8Array {
  if (packed.length < length) packed = new Uint8Array(Math.max(length, packed.length * 2))
  return packed.subarray(0, length)
}

// Four interleaved histograms: on skewed bytes one histogram's increments wait on each other.
const histogram = new Int32Array(1024)
const SAMPLE_BYTES = 1024
/** c · log2(c) for every count a sample can reach: the entropy sum without a logarithm per bin. */
const C_LOG_C = Float64Array.from({ length: SAMPLE_BYTES + 1 }, (_, c) => (c === 0 ? 0 : c * Math.log2(c)))

/** Order-0 entropy in bits per byte of `data`, from a sample of at most 1024 evenly spaced bytes. */
export function sampleEntropy(data: Uint8Array): number {
  const count = Math.min(data.length, SAMPLE_BYTES)
  if (count === 0) return 0
  const step = Math.floor(data.length / count)
  histogram.fill(0)
  for (let i = 0, at = 0; i < count; i++, at += step) histogram[((i & 3) << 8) | data[at]!]!++
  let sum = 0
  for (let b = 0; b < 256; b++) {
    sum += C_LOG_C[histogram[b]! + histogram[256 + b]! + histogram[512 + b]! + histogram[768 + b]!]!
  }
  return Math.log2(count) - sum / count
}

/**
 * True when a sample of `data` has the byte entropy of uniform noise (to
 * within 0.1 bits of what a sample that size of true noise shows): zstd
 * would spend time only to store it raw. Misses repeats of long random
 * sequences, which are rare in columns.
 */
export function looksRandom(data: Uint8Array): boolean {
  if (data.length < SAMPLE_BYTES) return false
  return sampleEntropy(data) > RANDOM_ENTROPY
}

// A sample of n uniform bytes shows about 8 − 255 / (2 n ln 2) bits of entropy; 0.1 bits
// below that, zstd would save under 1.3%, which writePlanes does not take anyway.
const RANDOM_ENTROPY = 8 - 255 / (2 * SAMPLE_BYTES * Math.LN2) - 0.1

/**
 * True when each of the 4 bytes of the first `count` words of `words` looks
 * like noise: `looksRandom` of each byte lane, decided in one pass over the
 * words (the same histograms, so the same answer, without copying the lanes out).
 */
export function laneBytesLookRandom(words: Int32Array, count: number): boolean {
  if (count < SAMPLE_BYTES) return false
  const step = Math.floor(count / SAMPLE_BYTES)
  histogram.fill(0)
  for (let i = 0, at = 0; i < SAMPLE_BYTES; i++, at += step) {
    const w = words[at]!
    histogram[w & 0xff]!++
    histogram[256 | ((w >>> 8) & 0xff)]!++
    histogram[512 | ((w >>> 16) & 0xff)]!++
    histogram[768 | (w >>> 24)]!++
  }
  for (let j = 0; j < 4; j++) {
    let sum = 0
    for (let b = 0; b < 256; b++) sum += C_LOG_C[histogram[(j << 8) | b]!]!
    if (!(Math.log2(SAMPLE_BYTES) - sum / SAMPLE_BYTES > RANDOM_ENTROPY)) return false
  }
  return true
}

/** Packs bytes that each fit in `bits` (1, 2 or 4) bits, first value in the lowest bits. */
export function packBits(plane: Uint8Array, bits: number): Uint8Array {
  const perByte = 8 / bits
  const m = plane.length
  const out = new Uint8Array(Math.ceil(m / perByte))
  const full = Math.floor(m / perByte)
  if (bits === 4) {
    for (let q = 0, i = 0; q < full; q++, i += 2) out[q] = plane[i]! | (plane[i + 1]! << 4)
  } else if (bits === 2) {
    for (let q = 0, i = 0; q < full; q++, i += 4) {
      out[q] = plane[i]! | (plane[i + 1]! << 2) | (plane[i + 2]! << 4) | (plane[i + 3]! << 6)
    }
  } else {
    for (let q = 0, i = 0; q < full; q++, i += 8) {
      out[q] =
        plane[i]! |
        (plane[i + 1]! << 1) |
        (plane[i + 2]! << 2) |
        (plane[i + 3]! << 3) |
        (plane[i + 4]! << 4) |
        (plane[i + 5]! << 5) |
        (plane[i + 6]! << 6) |
        (plane[i + 7]! << 7)
    }
  }
  for (let i = full * perByte; i < m; i++) out[full]! |= plane[i]! << ((i - full * perByte) * bits)
  return out
}

/**
 * Inverse of `packBits` into `target` (4-byte aligned, as planes are); the
 * unused high bits of the last byte must be zero. Writes whole words: a
 * byte at a time is twice as slow.
 */
export function unpackBits(data: Uint8Array, bits: number, target: Uint8Array): void {
  const perByte = 8 / bits
  const m = target.length
  const words = new Int32Array(target.buffer, target.byteOffset, m >> 2)
  const wordCount = words.length
  if (bits === 4) {
    for (let q = 0; q < wordCount; q++) {
      const b0 = data[2 * q]!
      const b1 = data[2 * q + 1]!
      words[q] = (b0 & 15) | ((b0 >> 4) << 8) | ((b1 & 15) << 16) | ((b1 >> 4) << 24)
    }
  } else if (bits === 2) {
    for (let q = 0; q < wordCount; q++) {
      const b = data[q]!
      words[q] = (b & 3) | (((b >> 2) & 3) << 8) | (((b >> 4) & 3) << 16) | ((b >> 6) << 24)
    }
  } else {
    for (let q = 0; q < wordCount; q++) {
      const b = data[q >> 1]! >> (4 * (q & 1))
      words[q] = (b & 1) | (((b >> 1) & 1) << 8) | (((b >> 2) & 1) << 16) | (((b >> 3) & 1) << 24)
    }
  }
  const mask = (1 << bits) - 1
  for (let i = 4 * wordCount; i < m; i++) {
    target[i] = (data[(i / perByte) | 0]! >> ((i % perByte) * bits)) & mask
  }
  const used = m % perByte
  if (used !== 0 && data[data.length - 1]! >> (used * bits) !== 0) {
    throw corrupt('non-zero padding after bit-packed values')
  }
}
