/** The timestamp units; values are integers counted in the unit since 1970-01-01T00:00Z. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns'

export type IntType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64'
export type FloatType = 'float32' | 'float64'
export type TimestampType = `timestamp[${TimeUnit}]`

/** A column's type in canonical form (`timestamp` alone is written `timestamp[ms]`). */
export type ColumnType = IntType | FloatType | 'bool' | 'str' | TimestampType

/**
 * How a column's values are held in memory: a typed array for numbers and
 * timestamps (BigInt64Array of unit counts; int64/uint64 as BigInt64Array /
 * BigUint64Array), plain arrays for bools and strings.
 */
export type ColumnArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array
  | boolean[]
  | string[]

export const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns']

export const COLUMN_TYPES: readonly ColumnType[] = [
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float32',
  'float64',
  'bool',
  'str',
  'timestamp[s]',
  'timestamp[ms]',
  'timestamp[us]',
  'timestamp[ns]',
]

export function isTimestampType(type: ColumnType): type is TimestampType {
  return type.startsWith('timestamp[')
}

export function timeUnitOf(type: TimestampType): TimeUnit {
  return type.slice('timestamp['.length, -1) as TimeUnit
}
