import zstd from 'zstd-napi/binding.js'
import { corrupt } from './byte-io.ts'

/**
 * zstd level 1. Column blocks reach zstd already transformed (deltas, byte
 * planes), where higher levels buy well under 1% and cost 2–4× the time; see
 * packages/core/bench/codec.ts.
 */
export const COMPRESSION_LEVEL = 1

/** Decompressed sizes above this are refused unless the caller states the size it expects. */
const MAX_UNDECLARED_SIZE = 1 << 30

// One context each, reused: creating a zstd context costs more than compressing a small page.
const cctx = new zstd.CCtx()
const dctx = new zstd.DCtx()
let scratch = new Uint8Array(0)

function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2, 1 << 16))
  return scratch
}

/**
 * Compresses `bytes` into one zstd frame that records its content size.
 * Returns a new array of exactly the compressed length.
 */
export function compress(bytes: Uint8Array): Uint8Array {
  const out = scratchOf(zstd.compressBound(bytes.length))
  const length = cctx.compress(out, bytes, COMPRESSION_LEVEL)
  return out.slice(0, length)
}

/**
 * Decompresses one zstd frame written by `compress`. With `expectedSize`, the
 * frame must hold exactly that many bytes. Throws `VarveError` 'Integrity' for
 * a damaged, truncated or mis-sized frame.
 */
export function decompress(bytes: Uint8Array, expectedSize?: number): Uint8Array {
  const size = frameContentSize(bytes)
  if (expectedSize !== undefined && size !== expectedSize) {
    throw corrupt(`a zstd frame holds ${size} bytes where ${expectedSize} are expected`)
  }
  if (expectedSize === undefined && size > MAX_UNDECLARED_SIZE) {
    throw corrupt(`a zstd frame claims ${size} bytes, more than ${MAX_UNDECLARED_SIZE}`)
  }
  const out = new Uint8Array(size)
  decompressInto(out, bytes)
  return out
}

/** Decompresses one frame into `target`, which it must fill exactly; throws 'Integrity' otherwise. */
export function decompressInto(target: Uint8Array, bytes: Uint8Array): void {
  if (frameContentSize(bytes) !== target.length) {
    throw corrupt(`a zstd frame does not hold the ${target.length} bytes expected`)
  }
  let written: number
  try {
    written = dctx.decompress(target, bytes)
  } catch (error) {
    throw corrupt('zstd cannot decompress a frame', error)
  }
  if (written !== target.length) throw corrupt(`a zstd frame gave ${written} of ${target.length} bytes`)
}

function frameContentSize(bytes: Uint8Array): number {
  let size: number | null
  try {
    size = zstd.getFrameContentSize(bytes)
  } catch (error) {
    throw corrupt('not a zstd frame', error)
  }
  if (size === null) throw corrupt('a zstd frame does not record its size')
  return size
}
