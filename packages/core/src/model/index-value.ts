import { VarveError } from '../errors/varve-error.ts'
import type { ColumnArray, ColumnType } from './column-types.ts'

/** One value of an index column: bigint for 64-bit ints and timestamps, number for smaller ints and floats, string for str. */
export type IndexValue = bigint | number | string

/** Which ends of a range `[start, stop]` count as inside. */
export type Closed = 'both' | 'left' | 'right' | 'neither'

/** How an index value is written in JSON metadata: 64-bit values as decimal strings, so no precision is lost. */
export type IndexValueJson = number | string

export function compareIndexValues(a: IndexValue, b: IndexValue): number {
  if (typeof a === 'string' || typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return a < b ? -1 : a > b ? 1 : 0
}

export function indexValueToJson(value: IndexValue): IndexValueJson {
  return typeof value === 'bigint' ? value.toString() : value
}

export function indexValueFromJson(type: ColumnType, json: unknown): IndexValue {
  if (isBigIntType(type)) {
    if (typeof json === 'string' && /^-?\d+$/.test(json)) return BigInt(json)
  } else if (type === 'str') {
    if (typeof json === 'string') return json
  } else if (typeof json === 'number') {
    return json
  }
  throw new VarveError('Integrity', `Malformed ${type} index value ${JSON.stringify(json)} in metadata.`)
}

export function isBigIntType(type: ColumnType): boolean {
  return type === 'int64' || type === 'uint64' || type.startsWith('timestamp')
}

/** The value at `row` of an index column. */
export function indexValueAt(values: ColumnArray, row: number): IndexValue {
  const value = values[row]
  if (typeof value === 'boolean' || value === undefined) {
    throw new VarveError('InvalidArgument', `Row ${row} holds no orderable index value.`)
  }
  return value
}

/** The first row whose value is ≥ `value` (or > it when `strict`), by binary search over a sorted column. */
export function lowerBound(values: ColumnArray, value: IndexValue, strict = false): number {
  let lo = 0
  let hi = values.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareIndexValues(indexValueAt(values, mid), value)
    if (c < 0 || (strict && c === 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}
