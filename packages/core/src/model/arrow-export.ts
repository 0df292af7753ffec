import {
  Schema as ArrowSchema,
  Bool,
  type Data,
  type DataType,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from 'apache-arrow'
import { VarveError } from '../errors/varve-error.ts'
import type { ColumnArray, ColumnType } from './column-types.ts'
import type { ColumnSpec } from './schema-definition.ts'

/** Field metadata that marks an index column, so `fromArrow` can restore the schema without being told. */
export const ARROW_INDEX_METADATA_KEY = 'varve:index'

const MAX_UTF8_BYTES = 2 ** 31 - 1

function arrowTypeOf(type: ColumnType): DataType {
  switch (type) {
    case 'int8':
      return new Int8()
    case 'int16':
      return new Int16()
    case 'int32':
      return new Int32()
    case 'int64':
      return new Int64()
    case 'uint8':
      return new Uint8()
    case 'uint16':
      return new Uint16()
    case 'uint32':
      return new Uint32()
    case 'uint64':
      return new Uint64()
    case 'float32':
      return new Float32()
    case 'float64':
      return new Float64()
    case 'bool':
      return new Bool()
    case 'str':
      return new Utf8()
    case 'timestamp[s]':
      return new TimestampSecond('UTC')
    case 'timestamp[ms]':
      return new TimestampMillisecond('UTC')
    case 'timestamp[us]':
      return new TimestampMicrosecond('UTC')
    case 'timestamp[ns]':
      return new TimestampNanosecond('UTC')
  }
}

/**
 * Builds a one-batch Arrow table over the columns. Numeric and timestamp
 * columns share their typed arrays' memory with the table (no copy);
 * strings are encoded as Utf8 and bools bit-packed. Fields are not nullable;
 * index fields carry the metadata `varve:index = true`.
 */
export function columnsToArrow(
  specs: readonly ColumnSpec[],
  columns: Readonly<Record<string, ColumnArray>>,
  length: number,
): Table {
  const fields = specs.map(
    (spec) =>
      new Field(
        spec.name,
        arrowTypeOf(spec.type),
        false,
        spec.index ? new Map([[ARROW_INDEX_METADATA_KEY, 'true']]) : null,
      ),
  )
  const children = specs.map((spec, i) => columnData(spec, fields[i]!.type, columns[spec.name]!, length))
  const schema = new ArrowSchema(fields)
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children })
  return new Table(schema, new RecordBatch(schema, data))
}

function columnData(spec: ColumnSpec, type: DataType, values: ColumnArray, length: number): Data {
  if (spec.type === 'bool')
    return makeData({ type: type as Bool, length, nullCount: 0, data: packBits(values as boolean[]) })
  if (spec.type === 'str') {
    const [valueOffsets, data] = encodeUtf8(spec.name, values as string[])
    return makeData({ type: type as Utf8, length, nullCount: 0, valueOffsets, data })
  }
  return makeData({ type: type as Float64, length, nullCount: 0, data: values as Float64Array })
}

function packBits(values: readonly boolean[]): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >> 3)
  for (let i = 0; i < values.length; i++) {
    if (values[i]) bits[i >> 3]! |= 1 << (i & 7)
  }
  return bits
}

function encodeUtf8(column: string, values: readonly string[]): [Int32Array, Uint8Array] {
  const offsets = new Int32Array(values.length + 1)
  let total = 0
  for (let i = 0; i < values.length; i++) {
    total += utf8Length(values[i]!)
    if (total > MAX_UTF8_BYTES) {
      throw new VarveError(
        'Unsupported',
        `Column "${column}" holds more than 2 GiB of text, the most one Arrow Utf8 column can hold; convert a slice of the frame at a time.`,
        { details: { column } },
      )
    }
    offsets[i + 1] = total
  }
  const bytes = new Uint8Array(total)
  const encoder = new TextEncoder()
  for (let i = 0; i < values.length; i++)
    encoder.encodeInto(values[i]!, bytes.subarray(offsets[i]!, offsets[i + 1]!))
  return [offsets, bytes]
}

// Counts what TextEncoder writes, a lone surrogate included (it becomes U+FFFD, 3 bytes).
function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (
      unit >= 0xd800 &&
      unit < 0xdc00 &&
      i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
