import { VarveError } from '../errors/varve-error.ts'
import { coerceColumn, isColumnInput, smallIntegerRange } from './coerce-column.ts'
import { toBigInteger, toSmallInteger, toStr, toTimestamp } from './coerce-value.ts'
import { type ColumnArray, isTimestampType, timeUnitOf } from './column-types.ts'
import { describeValue } from './describe-value.ts'
import { checkIndexOrder } from './index-order.ts'
import type { ColumnSpec } from './schema-definition.ts'

/**
 * Coerces user input (column name → array or typed array) into typed
 * columns, in schema order: every schema column present, no unknown column,
 * equal lengths, every value coerced, rows strictly increasing by index.
 * Throws VarveError 'InvalidArgument' naming the column (and row).
 */
export function coerceColumns(
  columns: readonly ColumnSpec[],
  indexColumns: readonly ColumnSpec[],
  input: unknown,
): Record<string, ColumnArray> {
  const names = columns.map((spec) => `"${spec.name}"`).join(', ')
  if (typeof input !== 'object' || input === null || Array.isArray(input) || ArrayBuffer.isView(input)) {
    throw new VarveError(
      'InvalidArgument',
      `Expected an object mapping each column (${names}) to an array of values, got ${describeValue(input)}.`,
    )
  }
  const record = input as Readonly<Record<string, unknown>>
  for (const name of Object.keys(record)) {
    if (!columns.some((spec) => spec.name === name)) {
      throw new VarveError('InvalidArgument', `Unknown column "${name}": the schema has columns ${names}.`, {
        details: { column: name },
      })
    }
  }
  let first: { name: string; length: number } | undefined
  for (const spec of columns) {
    const values = Object.hasOwn(record, spec.name) ? record[spec.name] : undefined
    if (values === undefined) {
      throw new VarveError(
        'InvalidArgument',
        `Column "${spec.name}" is missing: every schema column (${names}) must be given.`,
        { details: { column: spec.name } },
      )
    }
    if (!isColumnInput(values)) continue
    if (first === undefined) {
      first = { name: spec.name, length: values.length }
    } else if (values.length !== first.length) {
      throw new VarveError(
        'InvalidArgument',
        `Column "${spec.name}" has ${values.length} values but column "${first.name}" has ${first.length}: every column must have the same length.`,
        { details: { column: spec.name } },
      )
    }
  }
  const coerced: Record<string, ColumnArray> = {}
  for (const spec of columns) coerced[spec.name] = coerceColumn(spec, record[spec.name])
  checkIndexOrder(indexColumns, coerced, first?.length ?? 0)
  return coerced
}

/**
 * Coerces a single value of an index column (a read's bound, for instance):
 * a bigint for timestamps and 64-bit ints, a number for smaller ints, a
 * string for str. `label` names the value in errors (default "Index value").
 */
export function coerceIndexScalar(
  spec: ColumnSpec,
  value: unknown,
  label?: string,
): bigint | number | string {
  const site = label === undefined ? { column: spec.name } : { column: spec.name, label }
  const { type } = spec
  if (isTimestampType(type)) return toTimestamp(value, timeUnitOf(type), site, -1)
  switch (type) {
    case 'int64':
    case 'uint64':
      return toBigInteger(value, type === 'int64', site, -1)
    case 'str':
      return toStr(value, site, -1)
    default: {
      const range = smallIntegerRange(type)
      if (range !== undefined) return toSmallInteger(value, type, range[0], range[1], site, -1)
      throw new VarveError(
        'InvalidArgument',
        `Column "${spec.name}" (${type}) is not an index column type.`,
        {
          details: { column: spec.name },
        },
      )
    }
  }
}
