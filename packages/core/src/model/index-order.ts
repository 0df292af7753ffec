import { VarveError } from '../errors/varve-error.ts'
import { type ColumnArray, isTimestampType, timeUnitOf } from './column-types.ts'
import type { ColumnSpec } from './schema-definition.ts'
import { formatTimestamp } from './timestamp.ts'

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** A value of an index column: a number (int8..uint32), a bigint (64-bit ints, timestamps) or a string. */
type IndexValue = number | bigint | string

/** An index value as it reads in messages and tables: timestamps as ISO strings. */
function formatIndexValue(spec: ColumnSpec, value: IndexValue): string {
  if (isTimestampType(spec.type)) return formatTimestamp(value as bigint, timeUnitOf(spec.type))
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/**
 * Checks that rows are strictly increasing by index (lexicographic over the
 * index columns, in schema order; strings compare as JavaScript's `<` does,
 * by UTF-16 code unit). Unsorted or duplicated rows are refused,
 * never sorted silently: VarveError 'InvalidArgument' naming both rows.
 */
export function checkIndexOrder(
  indexColumns: readonly ColumnSpec[],
  columns: Readonly<Record<string, ColumnArray>>,
  length: number,
): void {
  const arrays = indexColumns.map((spec) => columns[spec.name] as ArrayLike<IndexValue>)
  if (arrays.length === 1) {
    const values = arrays[0]!
    if (littleEndian && (values instanceof BigInt64Array || values instanceof BigUint64Array)) {
      const row = firstUnorderedWide(values, length)
      if (row !== undefined) refuse(indexColumns, arrays, row)
      return
    }
    for (let row = 1; row < length; row++) {
      if (!(values[row - 1]! < values[row]!)) refuse(indexColumns, arrays, row)
    }
    return
  }
  for (let row = 1; row < length; row++) {
    if (compareRows(arrays, row - 1, row) >= 0) refuse(indexColumns, arrays, row)
  }
}

/**
 * The first row of a 64-bit column not above the one before, or undefined.
 * Compares the 32-bit halves: reading a BigInt64Array element makes a
 * BigInt, which cost more than the comparison on long timestamp columns.
 */
function firstUnorderedWide(values: BigInt64Array | BigUint64Array, length: number): number | undefined {
  const words = new Int32Array(values.buffer, values.byteOffset, 2 * length)
  // Flipping the sign bit of an unsigned high word lets signed comparison order it.
  const flip = values instanceof BigUint64Array ? 0x80000000 | 0 : 0
  for (let row = 1; row < length; row++) {
    const hiBefore = words[2 * row - 1]! ^ flip
    const hi = words[2 * row + 1]! ^ flip
    if (hi > hiBefore) continue
    if (hi < hiBefore || words[2 * row]! >>> 0 <= words[2 * row - 2]! >>> 0) return row
  }
  return undefined
}

function compareRows(arrays: readonly ArrayLike<IndexValue>[], a: number, b: number): number {
  for (const values of arrays) {
    const x = values[a]!
    const y = values[b]!
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

function refuse(
  indexColumns: readonly ColumnSpec[],
  arrays: readonly ArrayLike<IndexValue>[],
  row: number,
): never {
  const describe = (at: number) =>
    indexColumns.map((spec, i) => `${spec.name} = ${formatIndexValue(spec, arrays[i]![at]!)}`).join(', ')
  const names = indexColumns.map((spec) => spec.name).join(', ')
  const message =
    compareRows(arrays, row - 1, row) === 0
      ? `Rows ${row - 1} and ${row} have the same index value (${describe(row)}): index values must be unique.`
      : `Row ${row} (${describe(row)}) comes before row ${row - 1} (${describe(row - 1)}): rows must be sorted by the index (${names}), strictly increasing. Sort them before writing.`
  throw new VarveError('InvalidArgument', message, {
    details: {
      column: indexColumns[0]!.name,
      columns: indexColumns.map((spec) => spec.name),
      rows: [row - 1, row],
      row,
    },
  })
}
