import { VarveError } from '../errors/varve-error.ts'
import { type ByteReader, ByteWriter, corrupt } from './byte-io.ts'
import { compress, decompress } from './compression.ts'
import { Encoding } from './encodings.ts'
import { readWords, writeWords } from './word-planes.ts'

/**
 * Strings are joined into one text, stored once (UTF-8, or UTF-16 code units
 * when the text holds lone surrogates, which UTF-8 cannot carry), with each
 * string's length in UTF-16 code units in byte planes. Decoding converts the
 * text once and cuts it by the lengths. Columns with few distinct values store
 * those once (`Dictionary`) plus one index per row.
 */
const UTF8 = 0
const UTF16 = 1
const RAW = 0
const ZSTD = 1
/** V8's maximum string length (2^29 - 24 code units). */
const MAX_TEXT_UNITS = 2 ** 29 - 24

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Encodes a string column, as a dictionary when at most half the values are distinct. */
export function encodeStrings(values: readonly string[]): Uint8Array {
  const n = values.length
  const limit = n >> 1
  const index = new Map<string, number>()
  const indices = new Int32Array(n)
  for (let i = 0; i < n && index.size <= limit; i++) {
    const value = values[i]!
    if (typeof value !== 'string') throw notAString(i, value)
    let at = index.get(value)
    if (at === undefined) {
      at = index.size
      index.set(value, at)
    }
    indices[i] = at
  }
  const out = new ByteWriter(64 + n * 4)
  if (n >= 4 && index.size <= limit) {
    out.u8(Encoding.Dictionary)
    out.varint(n)
    out.varint(index.size)
    writeTexts(out, [...index.keys()])
    writeWords(out, indices, n)
  } else {
    out.u8(Encoding.Text)
    out.varint(n)
    writeTexts(out, values)
  }
  return out.finish()
}

/** Decodes the body of a `Text` or `Dictionary` block whose id and row count were read already. */
export function decodeStrings(id: number, input: ByteReader, rows: number): string[] {
  if (id === Encoding.Text) return readTexts(input, rows)
  if (id !== Encoding.Dictionary) throw corrupt(`encoding ${id} is not one for str columns`)
  const size = input.varint(rows)
  const dictionary = readTexts(input, size)
  const indices = readWords(input, rows, 4)
  const out = new Array<string>(rows)
  for (let i = 0; i < rows; i++) {
    const value = dictionary[indices[i]!]
    if (value === undefined) throw corrupt(`dictionary index ${indices[i]} out of ${size} entries`)
    out[i] = value
  }
  return out
}

function writeTexts(out: ByteWriter, values: readonly string[]): void {
  const n = values.length
  const lengths = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const value = values[i]!
    if (typeof value !== 'string') throw notAString(i, value)
    lengths[i] = value.length
  }
  writeWords(out, lengths, n)
  const text = values.join('')
  if (text.isWellFormed()) {
    out.u8(UTF8)
    writeBlob(out, encoder.encode(text))
  } else {
    const units = new Uint16Array(text.length)
    for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i)
    out.u8(UTF16)
    writeBlob(out, new Uint8Array(units.buffer))
  }
}

function readTexts(input: ByteReader, count: number): string[] {
  const lengths = readWords(input, count, 4)
  let total = 0
  for (let i = 0; i < count; i++) {
    total += lengths[i]! >>> 0
    if (total > MAX_TEXT_UNITS) throw corrupt('string lengths exceed the longest possible text')
  }
  const form = input.u8()
  if (form !== UTF8 && form !== UTF16) throw corrupt(`unknown text form ${form}`)
  const bytes = readBlob(input, form === UTF8 ? 3 * total : 2 * total)
  const text = form === UTF8 ? decodeUtf8(bytes) : decodeUtf16(bytes)
  if (text.length !== total) throw corrupt(`text holds ${text.length} code units, lengths sum to ${total}`)
  const out = new Array<string>(count)
  let at = 0
  for (let i = 0; i < count; i++) {
    const end = at + lengths[i]!
    out[i] = text.slice(at, end)
    at = end
  }
  return out
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes)
  } catch (error) {
    throw corrupt('text is not valid UTF-8', error)
  }
}

function decodeUtf16(bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) throw corrupt('UTF-16 text of an odd byte length')
  const units = new Uint16Array(bytes.slice().buffer)
  const parts: string[] = []
  for (let i = 0; i < units.length; i += 8192) {
    parts.push(String.fromCharCode(...units.subarray(i, i + 8192)))
  }
  return parts.join('')
}

/** A byte string: storage (raw or zstd), its length, then the bytes or a zstd frame. */
function writeBlob(out: ByteWriter, bytes: Uint8Array): void {
  const compressed = compress(bytes)
  const zstd = compressed.length < bytes.length
  out.u8(zstd ? ZSTD : RAW)
  out.varint(bytes.length)
  if (zstd) out.varint(compressed.length)
  out.bytes(zstd ? compressed : bytes)
}

function readBlob(input: ByteReader, maxLength: number): Uint8Array {
  const storage = input.u8()
  if (storage !== RAW && storage !== ZSTD) throw corrupt(`unknown text storage ${storage}`)
  const length = input.varint(maxLength)
  if (storage === RAW) return input.bytes(length)
  return decompress(input.bytes(input.varint(input.remaining)), length)
}

function notAString(row: number, value: unknown): VarveError {
  return new VarveError(
    'InvalidArgument',
    `A str column holds ${typeof value} at row ${row}; pass strings only.`,
    {
      details: { row },
    },
  )
}
