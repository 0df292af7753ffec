import { DataType, type Field, type Table, type Vector } from 'apache-arrow'
import { VarveError } from '../errors/varve-error.ts'
import { ARROW_INDEX_METADATA_KEY } from './arrow-export.ts'
import type { ColumnType } from './column-types.ts'
import type { ColumnSpec } from './schema-definition.ts'

/** What an Arrow table holds, ready for `Schema#coerce`. */
export interface ArrowColumns {
  /** The schema definition read from the Arrow types (index marks included). */
  readonly definition: Record<string, string>
  /** Column name → typed array (single-chunk numeric columns share the Arrow memory) or plain array. */
  readonly columns: Record<string, unknown>
}

const TIMESTAMP_UNITS = ['s', 'ms', 'us', 'ns'] as const
const SUPPORTED =
  'Int8..Int64, Uint8..Uint64, Float32, Float64, Bool, Utf8, LargeUtf8, Dictionary<Utf8> and Timestamp'

/** The Varve column type of an Arrow type, undefined when there is none. */
function columnTypeOf(type: DataType): ColumnType | undefined {
  if (DataType.isInt(type)) return `${type.isSigned ? 'int' : 'uint'}${type.bitWidth}` as ColumnType
  if (DataType.isFloat(type))
    return type.precision === 1 ? 'float32' : type.precision === 2 ? 'float64' : undefined
  if (DataType.isBool(type)) return 'bool'
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'str'
  if (DataType.isDictionary(type)) return columnTypeOf(type.dictionary) === 'str' ? 'str' : undefined
  if (DataType.isTimestamp(type)) return `timestamp[${TIMESTAMP_UNITS[type.unit]}]`
  return undefined
}

/**
 * Reads an Arrow table's columns. With `specs`, each column's Arrow type
 * must map to its spec's type (unknown and missing columns are left for
 * coercion to report); without, the definition is inferred: index columns are
 * the fields marked `varve:index` (as `toArrow` writes them), else the first
 * timestamp column. Timestamps of any time zone are read as UTC instants.
 * Nulls are refused. Throws VarveError 'InvalidArgument' or, for an Arrow
 * type with no Varve equivalent, 'Unsupported'.
 */
export function arrowToColumns(table: Table, specs?: readonly ColumnSpec[]): ArrowColumns {
  const fields: readonly Field[] = table.schema.fields
  const definition: Record<string, string> = {}
  const columns: Record<string, unknown> = {}
  fields.forEach((field, i) => {
    const { name } = field
    if (Object.hasOwn(columns, name)) {
      throw new VarveError('InvalidArgument', `The Arrow table has two columns named "${name}".`, {
        details: { column: name },
      })
    }
    const type = columnTypeOf(field.type)
    if (type === undefined) {
      throw new VarveError(
        'Unsupported',
        `Column "${name}": Arrow type ${String(field.type)} has no Varve column type; supported: ${SUPPORTED}.`,
        { details: { column: name } },
      )
    }
    const spec = specs?.find((candidate) => candidate.name === name)
    if (spec !== undefined && spec.type !== type) {
      throw new VarveError(
        'InvalidArgument',
        `Column "${name}": the Arrow column is ${String(field.type)} (${type}) but the schema says ${spec.type}.`,
        { details: { column: name } },
      )
    }
    definition[name] = type
    columns[name] = columnValues(name, type, table.getChildAt(i)!)
  })
  if (specs === undefined) markIndex(fields, definition)
  return { definition, columns }
}

function markIndex(fields: readonly Field[], definition: Record<string, string>): void {
  const marked = fields.filter((field) => field.metadata.get(ARROW_INDEX_METADATA_KEY) === 'true')
  const index =
    marked.length > 0 ? marked : fields.filter((field) => DataType.isTimestamp(field.type)).slice(0, 1)
  if (index.length === 0) {
    throw new VarveError(
      'InvalidArgument',
      'The Arrow table has no timestamp column to use as the index; pass a schema to Frame.fromArrow to say which columns index the rows.',
    )
  }
  for (const field of index) definition[field.name] = `${definition[field.name]}*`
}

function columnValues(name: string, type: ColumnType, vector: Vector): unknown {
  if (vector.nullCount > 0) {
    let row = 0
    while (vector.isValid(row)) row++
    throw new VarveError(
      'InvalidArgument',
      `Column "${name}", row ${row}: null values are not supported (every row needs a value).`,
      { details: { column: name, row } },
    )
  }
  if (vector.length === 0) return []
  // toArray() returns the single chunk's typed array itself (no copy) and joins several chunks.
  return type === 'bool' || type === 'str' ? Array.from(vector) : vector.toArray()
}
