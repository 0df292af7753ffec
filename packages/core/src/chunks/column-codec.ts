import { VarveError } from '../errors/varve-error.ts'
import type { ColumnArray, ColumnType } from '../model/column-types.ts'
import { ByteReader, ByteWriter, corrupt, type ScratchArea } from './byte-io.ts'
import { Encoding } from './encodings.ts'
import {
  decodeNumeric,
  type EncodingHint,
  encodeNumeric,
  type NumericArray,
  numericKind,
} from './numeric-codec.ts'
import { decodeStrings, encodeStrings } from './string-codec.ts'
import { readWords, writeWords } from './word-planes.ts'

/**
 * Column blocks: one page of one column as bytes. A block is self-describing:
 * an encoding id (see encodings.ts), the row count, then that encoding's body.
 * The encoding is chosen per block from the data; readers need only the
 * column's type.
 *
 * Structural damage (truncation, impossible fields, wrong row count, failed
 * zstd frames) is detected here; damage that still parses is caught by the
 * chunk layer's SHA-256 of every block.
 */

/** The most rows one block holds (1 GiB of int64): larger pages are a caller's mistake, not data. */
export const MAX_BLOCK_ROWS = 2 ** 27

// Typed-array views in this layer take the host's byte order; the format is little-endian.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

function requireLittleEndian(): void {
  if (!littleEndian) {
    throw new VarveError(
      'Unsupported',
      'Varve column blocks need a little-endian machine; this one is big-endian.',
    )
  }
}

/**
 * Encodes one page of a column. `values` must be the array kind `ColumnType`
 * maps to (see `ColumnArray`), at most `MAX_BLOCK_ROWS` long; throws
 * `VarveError` 'InvalidArgument' when it is not. Pass the same `hint` to the
 * pages of one column in turn (see `EncodingHint`). With `scratch`, a
 * numeric block is a view of it, valid until its next `reset` (see `ScratchArea`).
 */
export function encodeColumn(
  type: ColumnType,
  values: ColumnArray,
  hint?: EncodingHint,
  scratch?: ScratchArea,
): Uint8Array {
  requireLittleEndian()
  if (values.length > MAX_BLOCK_ROWS) {
    throw new VarveError(
      'InvalidArgument',
      `A column page of ${values.length} rows is over the ${MAX_BLOCK_ROWS} a block holds; cut it into pages.`,
    )
  }
  if (type === 'str') {
    if (!Array.isArray(values)) throw wrongArray(type, values)
    return encodeStrings(values as string[])
  }
  if (type === 'bool') {
    if (!Array.isArray(values)) throw wrongArray(type, values)
    return encodeBools(values as boolean[])
  }
  const kind = numericKind(type)
  if (kind === undefined) throw unknownType(type)
  if (!(values instanceof kind.array)) throw wrongArray(type, values)
  return encodeNumeric(type, values, hint, scratch)
}

/**
 * Decodes a block written by `encodeColumn` for a column of `type`, which
 * must hold exactly `rows` values. A numeric block decodes into `into` when
 * given (its array kind, `rows` long, all zero: a view of a larger new array). Throws `VarveError` 'Integrity' for bytes
 * that are truncated, malformed, of another type or of another row count
 * ('InvalidArgument' for a `rows` that no block can hold).
 */
export function decodeColumn(
  type: ColumnType,
  bytes: Uint8Array,
  rows: number,
  into?: NumericArray,
): ColumnArray {
  requireLittleEndian()
  if (!Number.isSafeInteger(rows) || rows < 0 || rows > MAX_BLOCK_ROWS) {
    throw new VarveError(
      'InvalidArgument',
      `A block's row count must be an integer from 0 to ${MAX_BLOCK_ROWS}, not ${rows}.`,
    )
  }
  const input = new ByteReader(bytes)
  const id = input.u8()
  const stored = input.varint()
  if (stored !== rows) throw corrupt(`the block holds ${stored} rows where ${rows} are expected`)
  let values: ColumnArray
  if (type === 'str') values = decodeStrings(id, input, rows)
  else if (type === 'bool') values = decodeBools(id, input, rows)
  else if (numericKind(type) !== undefined) {
    if (into !== undefined && (!(into instanceof numericKind(type)!.array) || into.length !== rows)) {
      throw new VarveError(
        'InvalidArgument',
        `A ${type} block decodes into its own array kind, ${rows} long.`,
      )
    }
    values = decodeNumeric(type, id, input, rows, into)
  } else throw unknownType(type)
  input.end()
  return values
}

function encodeBools(values: readonly boolean[]): Uint8Array {
  const n = values.length
  const bits = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const value = values[i]
    if (typeof value !== 'boolean') {
      throw new VarveError(
        'InvalidArgument',
        `A bool column holds ${typeof value} at row ${i}; pass booleans only.`,
        {
          details: { row: i },
        },
      )
    }
    bits[i] = value ? 1 : 0
  }
  const out = new ByteWriter(32 + (n >> 3))
  out.u8(Encoding.Bits)
  out.varint(n)
  writeWords(out, bits, n)
  return out.finish()
}

function decodeBools(id: number, input: ByteReader, rows: number): boolean[] {
  if (id !== Encoding.Bits) throw corrupt(`encoding ${id} is not one for bool columns`)
  const bits = readWords(input, rows, 1)
  const out = new Array<boolean>(rows)
  for (let i = 0; i < rows; i++) {
    const bit = bits[i]!
    if (bit > 1) throw corrupt(`a bool of value ${bit}`)
    out[i] = bit === 1
  }
  return out
}

function unknownType(type: string): VarveError {
  return new VarveError('InvalidArgument', `Unknown column type ${JSON.stringify(type)}; see COLUMN_TYPES.`)
}

function wrongArray(type: ColumnType, values: unknown): VarveError {
  const got = Array.isArray(values)
    ? 'an Array'
    : ((values as object | null)?.constructor?.name ?? typeof values)
  return new VarveError(
    'InvalidArgument',
    `A ${type} column takes its matching array type (see ColumnArray), not ${got}.`,
  )
}
