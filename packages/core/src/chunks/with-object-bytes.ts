import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'
import { sha256Hex } from './hash.ts'
import { getObject, missingObject, objectKey } from './objects.ts'

/** Objects up to this size are read into reused buffers; larger ones are rare and read by `get`. */
const POOLED_MAX_BYTES = 4 * 1024 * 1024
/** Free buffers kept between reads, at most this many bytes of them. */
const POOL_BYTES = 8 * 1024 * 1024
const MIN_BUFFER_BYTES = 64 * 1024

const free: Uint8Array[] = []
let freeBytes = 0

/**
 * Reads the object `hash`, `size` bytes long as the caller's metadata records,
 * checks it against its hash and hands its bytes to `use`. Where the store can
 * `readInto`, the bytes are a buffer the next read reuses once `use` has
 * settled: `use` must keep nothing of them (nor a view of them) past that.
 * Elsewhere they are `getObject`'s, read-only (maybe a memory cache's own).
 *
 * A full read allocates its decoded columns anyway; a fresh array per chunk
 * on top of them made a third more garbage, whose collection (V8 counts array
 * memory towards starting a full collection) was the largest part of reading
 * a local repository.
 *
 * Throws as `getObject`: `NotFound` when the object is absent, `Integrity`
 * when its bytes do not match its hash or its size differs from `size`.
 */
export async function withObjectBytes<T>(
  store: Store,
  hash: string,
  size: number,
  use: (bytes: Uint8Array) => T | Promise<T>,
): Promise<T> {
  if (store.readInto === undefined || !Number.isSafeInteger(size) || size < 0 || size >= POOLED_MAX_BYTES) {
    return use(await getObject(store, hash, { readOnly: true }))
  }
  const key = objectKey(hash)
  const buffer = take(size + 1)
  try {
    // One byte more than expected: an object longer than its metadata says reads as longer.
    const count = await store.readInto(key, buffer.subarray(0, size + 1))
    if (count === undefined) throw missingObject(store, key)
    const bytes = buffer.subarray(0, count)
    if (count !== size || sha256Hex(bytes) !== hash) {
      throw new VarveError(
        'Integrity',
        `Object ${key} in ${store.description} is corrupted or truncated: its bytes do not match their hash${count === size ? '' : count > size ? ` (it holds more than the ${size} bytes recorded)` : ` (it holds ${count} bytes where ${size} are recorded)`}.`,
        { details: { key } },
      )
    }
    return await use(bytes)
  } finally {
    give(buffer)
  }
}

function take(length: number): Uint8Array {
  const at = free.findIndex((buffer) => buffer.length >= length)
  if (at >= 0) {
    const [buffer] = free.splice(at, 1)
    freeBytes -= buffer!.length
    return buffer!
  }
  // Powers of two: chunks of a series differ by a few bytes, and each fits the buffer of the one before.
  return new Uint8Array(Math.max(MIN_BUFFER_BYTES, 2 ** Math.ceil(Math.log2(length))))
}

function give(buffer: Uint8Array): void {
  if (freeBytes + buffer.length > POOL_BYTES) return
  free.push(buffer)
  freeBytes += buffer.length
}
