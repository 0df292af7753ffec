import { VarveError } from '../errors/varve-error.ts'
import { COLUMN_TYPES, type ColumnType, isTimestampType } from './column-types.ts'

/**
 * A schema as users write it: column name → type, in column order. A `*`
 * suffix marks an index column: `{ timestamp: 'timestamp*', value: 'float64' }`.
 * Types: `int8`..`int64`, `uint8`..`uint64`, `float32`, `float64`, `bool`,
 * `str`, `timestamp` (= `timestamp[ms]`) and `timestamp[s|ms|us|ns]`.
 */
export type SchemaDefinition = Readonly<Record<string, string>>

/** One column of a schema, its type in canonical form. */
export interface ColumnSpec {
  readonly name: string
  readonly type: ColumnType
  /** True for index columns (marked `*`), which order and identify the rows. */
  readonly index: boolean
}

export const MAX_COLUMN_NAME_LENGTH = 128

const VALID_TYPES_TEXT = `${COLUMN_TYPES.filter((type) => !isTimestampType(type)).join(', ')}, timestamp, timestamp[s|ms|us|ns]`

// Floats are refused as index types: NaN has no place in a total order and -0/0 would be two
// spellings of one index value. Bools have two values, which makes a useless index.
const INDEX_TYPES: ReadonlySet<ColumnType> = new Set(
  COLUMN_TYPES.filter((type) => type !== 'bool' && type !== 'float32' && type !== 'float64'),
)

const INDEX_TYPES_TEXT = 'int8..int64, uint8..uint64, str or timestamp'

// A letter or '_' first (so no name looks like an array index, which objects would reorder), then
// letters, marks, digits, '_', '-' or '.'.
const NAME_PATTERN = /^[\p{L}_][\p{L}\p{M}\p{N}_.-]*$/u

/** True when `type` may be an index column's type: integers, timestamps and strings. */
export function isIndexType(type: ColumnType): boolean {
  return INDEX_TYPES.has(type)
}

/**
 * Parses one type text (`'timestamp*'`, `'float64'`, ...) into its canonical
 * type and index flag, or undefined when the text is not a known type.
 */
export function parseColumnType(text: string): { type: ColumnType; index: boolean } | undefined {
  const index = text.endsWith('*')
  const bare = index ? text.slice(0, -1) : text
  const type = bare === 'timestamp' ? 'timestamp[ms]' : bare
  return (COLUMN_TYPES as readonly string[]).includes(type) ? { type: type as ColumnType, index } : undefined
}

/** Why `name` cannot name a column, or undefined when it can. */
export function columnNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a column name cannot be empty'
  if ([...name].length > MAX_COLUMN_NAME_LENGTH) {
    return `a column name has at most ${MAX_COLUMN_NAME_LENGTH} characters`
  }
  if (!NAME_PATTERN.test(name)) {
    return "a column name starts with a letter or '_' and holds only letters, digits, '_', '-' and '.'"
  }
  if (name === '__proto__') return 'this name is reserved'
  if (name.normalize('NFC') !== name) return 'a column name must be in Unicode normal form C (NFC)'
  return undefined
}

/**
 * Validates a schema definition and returns its columns in definition order.
 * Throws VarveError 'InvalidArgument' naming the offending column.
 */
export function parseSchemaDefinition(definition: unknown): ColumnSpec[] {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw invalid(
      `A schema is an object mapping column names to types, like { timestamp: 'timestamp*', value: 'float64' }; got ${definition === null ? 'null' : Array.isArray(definition) ? 'an array' : typeof definition}.`,
    )
  }
  const columns: ColumnSpec[] = []
  const seen = new Map<string, string>()
  for (const [name, text] of Object.entries(definition)) {
    const nameProblem = columnNameProblem(name)
    if (nameProblem !== undefined) {
      throw invalid(`Invalid column name ${JSON.stringify(name)}: ${nameProblem}.`, name)
    }
    const folded = name.toLowerCase()
    const clash = seen.get(folded)
    if (clash !== undefined) {
      throw invalid(
        `Columns "${clash}" and "${name}" differ only in case; column names must be unique ignoring case.`,
        name,
      )
    }
    seen.set(folded, name)
    if (typeof text !== 'string') {
      throw invalid(`Column "${name}": the type must be a string like 'float64', got ${typeof text}.`, name)
    }
    const parsed = parseColumnType(text)
    if (parsed === undefined) {
      throw invalid(
        `Column "${name}": unknown type ${JSON.stringify(text)}. Valid types: ${VALID_TYPES_TEXT}; add '*' to mark an index column.`,
        name,
      )
    }
    if (parsed.index && !isIndexType(parsed.type)) {
      throw invalid(
        `Column "${name}": ${parsed.type} cannot be an index column; index columns are ${INDEX_TYPES_TEXT}.`,
        name,
      )
    }
    columns.push(Object.freeze({ name, type: parsed.type, index: parsed.index }))
  }
  if (columns.length === 0) {
    throw invalid("A schema needs at least one column, and one of them an index column marked '*'.")
  }
  if (!columns.some((column) => column.index)) {
    throw invalid(
      `The schema has no index column: mark one or more columns with '*', as in { timestamp: 'timestamp*' }. Index columns are ${INDEX_TYPES_TEXT}.`,
    )
  }
  return columns
}

/** The canonical text of a column's type: `'timestamp[ms]*'`, `'float64'`. */
export function columnTypeText(column: ColumnSpec): string {
  return column.index ? `${column.type}*` : column.type
}

function invalid(message: string, column?: string): VarveError {
  return new VarveError('InvalidArgument', message, column === undefined ? {} : { details: { column } })
}
