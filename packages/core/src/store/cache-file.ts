import { crc32 } from 'node:zlib'

const MAGIC = [0x56, 0x52, 0x43, 0x31]
const HEADER_BYTES = 18

const encoder = new TextEncoder()

/**
 * The file of a folder cache holding `bytes` under `key`: a header, then the object.
 *
 * | offset | bytes | field                                          |
 * | ------ | ----- | ---------------------------------------------- |
 * | 0      | 4     | magic `VRC1`                                   |
 * | 4      | 4     | CRC-32 of the object, little endian            |
 * | 8      | 8     | the object's length in bytes, little endian    |
 * | 16     | 2     | the key's length in UTF-8 bytes, little endian |
 * | 18     | k     | the key                                        |
 * | 18 + k | n     | the object                                     |
 *
 * The key is kept because a case-insensitive or normalizing file system may map
 * two keys to one file; the length and checksum catch truncated and damaged files.
 */
export function encodeCacheFile(key: string, bytes: Uint8Array): Uint8Array {
  const name = encoder.encode(key)
  const file = new Uint8Array(HEADER_BYTES + name.length + bytes.length)
  const view = new DataView(file.buffer)
  file.set(MAGIC, 0)
  view.setUint32(4, crc32(bytes), true)
  view.setBigUint64(8, BigInt(bytes.length), true)
  view.setUint16(16, name.length, true)
  file.set(name, HEADER_BYTES)
  file.set(bytes, HEADER_BYTES + name.length)
  return file
}

/** The object a file holds for `key`, or why the file is not a sound copy of it. */
export function decodeCacheFile(key: string, file: Uint8Array): { bytes: Uint8Array } | { problem: string } {
  if (file.length < HEADER_BYTES || MAGIC.some((b, i) => file[i] !== b)) {
    return { problem: 'it is not a cache file (wrong header)' }
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const nameLength = view.getUint16(16, true)
  const name = encoder.encode(key)
  const start = HEADER_BYTES + nameLength
  if (
    nameLength !== name.length ||
    file.length < start ||
    name.some((b, i) => file[HEADER_BYTES + i] !== b)
  ) {
    return { problem: 'it holds another key (a case-insensitive file system?)' }
  }
  const length = view.getBigUint64(8, true)
  if (BigInt(file.length - start) !== length) {
    return { problem: `it holds ${file.length - start} bytes of the object, not ${length}` }
  }
  const bytes = file.subarray(start)
  if (crc32(bytes) !== view.getUint32(4, true)) return { problem: 'its bytes do not match their checksum' }
  return { bytes }
}
