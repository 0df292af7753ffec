import type { Table } from 'apache-arrow'
import { VarveError } from '../errors/varve-error.ts'
import { columnsToArrow } from './arrow-export.ts'
import { arrowToColumns } from './arrow-import.ts'
import { coerceColumns, coerceIndexScalar } from './coerce.ts'
import { columnsEqual, concatColumns, emptyColumn, isColumnArrayOf, sliceColumn } from './column-arrays.ts'
import { type ColumnArray, isTimestampType, timeUnitOf } from './column-types.ts'
import { type FrameFormatOptions, formatFrame } from './frame-format.ts'
import {
  type ColumnSpec,
  columnTypeText,
  parseSchemaDefinition,
  type SchemaDefinition,
} from './schema-definition.ts'
import { unitToEpochMilliseconds } from './timestamp.ts'

/** One row as `Frame#rows()` yields it: timestamps as Date, int64/uint64 as bigint. */
export type FrameRow = Record<string, number | bigint | boolean | string | Date>

// Schema and Frame share this module because each creates the other at run time (Schema#coerce
// returns Frames, Frame.fromArrow infers Schemas); apart they would form an import cycle.

/**
 * The columns of a collection, their types and which of them index the rows.
 *
 *     new Schema({ timestamp: 'timestamp*', value: 'float64' })
 *
 * Rules: at least one column; at least one index column (`*`), of type
 * int8..int64, uint8..uint64, str (ordered as JavaScript compares strings) or timestamp
 * (floats and bools cannot index); names start with a letter or '_', then
 * letters, digits, '_', '-', '.', at most 128 characters, unique ignoring
 * case. Every violation is a VarveError 'InvalidArgument' naming the column.
 * Value columns are optional: a schema of index columns only is valid.
 */
export class Schema {
  /** All columns, in definition order. */
  readonly columns: readonly ColumnSpec[]
  /** The index columns, in definition order: rows are ordered by them, lexicographically. */
  readonly indexColumns: readonly ColumnSpec[]
  /** The non-index columns, in definition order. */
  readonly valueColumns: readonly ColumnSpec[]
  readonly #byName: ReadonlyMap<string, ColumnSpec>

  constructor(definition: SchemaDefinition) {
    this.columns = Object.freeze(parseSchemaDefinition(definition))
    this.indexColumns = Object.freeze(this.columns.filter((column) => column.index))
    this.valueColumns = Object.freeze(this.columns.filter((column) => !column.index))
    this.#byName = new Map(this.columns.map((column) => [column.name, column]))
  }

  /** The column named `name`, or undefined. */
  column(name: string): ColumnSpec | undefined {
    return this.#byName.get(name)
  }

  /** The canonical definition: `{ timestamp: 'timestamp[ms]*', value: 'float64' }`. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.columns.map((column) => [column.name, columnTypeText(column)]))
  }

  /** True when both have the same columns, in the same order, with the same types and index marks. */
  equals(other: Schema): boolean {
    if (this === other) return true
    return (
      this.columns.length === other.columns.length &&
      this.columns.every((column, i) => {
        const theirs = other.columns[i]!
        return column.name === theirs.name && column.type === theirs.type && column.index === theirs.index
      })
    )
  }

  /**
   * The schema of a selection: every index column (always kept; naming one is
   * allowed) and the named value columns, in this schema's order. Unknown
   * names are a VarveError 'InvalidArgument' listing the columns.
   */
  select(names: readonly string[]): Schema {
    for (const name of names) {
      if (!this.#byName.has(name)) {
        const known = this.columns.map((column) => `"${column.name}"`).join(', ')
        throw new VarveError(
          'InvalidArgument',
          `No column "${name}" in the schema; its columns are ${known}.`,
          {
            details: { column: name },
          },
        )
      }
    }
    const keep = this.columns.filter((column) => column.index || names.includes(column.name))
    return keep.length === this.columns.length
      ? this
      : new Schema(Object.fromEntries(keep.map((column) => [column.name, columnTypeText(column)])))
  }

  /** Rebuilds a schema from `toJSON()` output (or any definition); validated like the constructor. */
  static fromJSON(json: unknown): Schema {
    return new Schema(json as SchemaDefinition)
  }

  /**
   * Coerces user input into a Frame. `input` maps every schema column to an
   * array or typed array of one common length; unknown columns are refused.
   * A Frame is accepted too when its schema equals this one.
   *
   * - timestamps: ISO-8601 strings (a date, or a date-time with or without
   *   seconds and fraction, with 'Z' or an offset; no zone means UTC), Dates,
   *   integer numbers already in the column's unit, bigints. A fraction finer
   *   than the unit is an error, never truncated.
   * - int8..uint32: integer numbers or bigints in range. int64/uint64: bigints,
   *   or numbers that are safe integers.
   * - float32/float64: numbers (NaN and ±Infinity allowed). Bigints are refused.
   * - bool: booleans only. str: strings only, well-formed Unicode.
   * - null and undefined are refused everywhere: v1 has no missing values.
   *
   * A typed array of exactly the column's kind (BigInt64Array for timestamps
   * and int64, Float64Array for float64, ...) is kept without copying: the
   * Frame shares its memory, so do not modify it afterwards. A BigInt64Array
   * for a timestamp column holds counts of the column's unit. Other input is
   * converted in one pass. Rows must be strictly increasing by index
   * (lexicographically over the index columns): unsorted or duplicated index
   * values are refused, never sorted silently.
   *
   * Throws VarveError 'InvalidArgument' naming the column and the row.
   */
  coerce(input: Readonly<Record<string, unknown>> | Frame): Frame {
    if (input instanceof Frame && !input.schema.equals(this)) {
      throw new VarveError(
        'InvalidArgument',
        `The frame's schema ${JSON.stringify(input.schema)} differs from ${JSON.stringify(this)}.`,
      )
    }
    const columns = coerceColumns(
      this.columns,
      this.indexColumns,
      input instanceof Frame ? input.columns : input,
    )
    return new Frame(this, columns)
  }

  /**
   * Coerces one value of the first index column, such as a read's `start` or
   * `stop`, with the rules of `coerce`: a bigint for timestamps (in the
   * column's unit) and 64-bit ints, a number for smaller ints, a string for
   * str. `label` names the value in errors (default "Index value").
   * Throws VarveError 'InvalidArgument'.
   */
  coerceIndexValue(value: unknown, label?: string): bigint | number | string {
    return coerceIndexScalar(this.indexColumns[0]!, value, label)
  }
}

/**
 * Rows of a series held as columns: typed arrays for numbers and timestamps
 * (BigInt64Array of unit counts), plain arrays for bools and strings. Frames
 * are not copied defensively: slices and selections share memory with the
 * frame they came from; treat the arrays as read-only.
 */
export class Frame {
  readonly schema: Schema
  readonly length: number
  /** Column name → values, in schema order. */
  readonly columns: Readonly<Record<string, ColumnArray>>

  /**
   * Wraps columns that are already typed (use `Schema#coerce` for user
   * input): every schema column present as its array kind, no other column,
   * equal lengths; index order is not checked. Throws VarveError
   * 'InvalidArgument' otherwise.
   */
  constructor(schema: Schema, columns: Readonly<Record<string, ColumnArray>>) {
    const ordered: Record<string, ColumnArray> = {}
    let length: number | undefined
    for (const spec of schema.columns) {
      const values = Object.hasOwn(columns, spec.name) ? columns[spec.name] : undefined
      if (!isColumnArrayOf(spec.type, values)) {
        throw invalidFrame(spec.name, `column "${spec.name}" is not held as the array kind of ${spec.type}`)
      }
      if (length !== undefined && values.length !== length) {
        throw invalidFrame(spec.name, `column "${spec.name}" has ${values.length} values, not ${length}`)
      }
      length = values.length
      ordered[spec.name] = values
    }
    const extra = Object.keys(columns).find((name) => schema.column(name) === undefined)
    if (extra !== undefined) throw invalidFrame(extra, `column "${extra}" is not in the schema`)
    this.schema = schema
    this.length = length ?? 0
    this.columns = Object.freeze(ordered)
  }

  /** A frame of `schema` with no rows. */
  static empty(schema: Schema): Frame {
    return new Frame(
      schema,
      Object.fromEntries(schema.columns.map((spec) => [spec.name, emptyColumn(spec.type)])),
    )
  }

  /**
   * The frames' rows one after another in a new frame (a single frame is
   * returned as is). Every frame must have `schema`; index order across
   * frames is not checked. Throws VarveError 'InvalidArgument'.
   */
  static concat(schema: Schema, frames: readonly Frame[]): Frame {
    frames.forEach((frame, i) => {
      if (!frame.schema.equals(schema)) {
        throw new VarveError(
          'InvalidArgument',
          `Frame ${i} has schema ${JSON.stringify(frame.schema)}, not ${JSON.stringify(schema)}.`,
        )
      }
    })
    if (frames.length === 0) return Frame.empty(schema)
    if (frames.length === 1) return frames[0]!
    return new Frame(
      schema,
      Object.fromEntries(
        schema.columns.map((spec) => [
          spec.name,
          concatColumns(
            spec.type,
            frames.map((f) => f.columns[spec.name]!),
          ),
        ]),
      ),
    )
  }

  /**
   * A frame from an Apache Arrow table. Without `schema` it is read from the
   * Arrow types: index columns are those `toArrow` marked, else the first
   * timestamp column. With `schema`, the table must have exactly its columns
   * with matching types. Numeric and timestamp columns of a single chunk share
   * the Arrow memory; several chunks are joined. Timestamps of any time zone
   * are read as UTC instants. Nulls are refused, and the rows must be strictly
   * increasing by index. Throws VarveError 'InvalidArgument' (or 'Unsupported'
   * for an Arrow type with no Varve column type).
   */
  static fromArrow(table: Table, schema?: Schema): Frame {
    const { definition, columns } = arrowToColumns(table, schema?.columns)
    return (schema ?? new Schema(definition)).coerce(columns)
  }

  /** The values of column `name`. Throws VarveError 'InvalidArgument' listing the columns when absent. */
  column(name: string): ColumnArray {
    if (!Object.hasOwn(this.columns, name)) {
      const names = this.schema.columns.map((spec) => `"${spec.name}"`).join(', ')
      throw new VarveError(
        'InvalidArgument',
        `No column "${name}" in this frame; its columns are ${names}.`,
        {
          details: { column: name },
        },
      )
    }
    return this.columns[name]!
  }

  /**
   * The rows as objects, in order. Timestamps come out as Dates, so precision
   * below a millisecond (timestamp[us|ns]) is floored away here and kept only
   * in `columns`; instants outside Date's range (±275,760 years) come out as
   * Invalid Dates. int64/uint64 come out as bigints.
   */
  *rows(): IterableIterator<FrameRow> {
    const readers = this.schema.columns.map((spec) => {
      const values = this.columns[spec.name] as ArrayLike<number | bigint | boolean | string>
      if (!isTimestampType(spec.type)) return [spec.name, (row: number) => values[row]!] as const
      const unit = timeUnitOf(spec.type)
      return [
        spec.name,
        (row: number) => new Date(unitToEpochMilliseconds(values[row] as bigint, unit)),
      ] as const
    })
    for (let row = 0; row < this.length; row++) {
      const record: FrameRow = {}
      for (const [name, read] of readers) record[name] = read(row)
      yield record
    }
  }

  /**
   * Rows [start, end), with `Array#slice` semantics (negative positions count
   * from the end; out-of-range positions are clamped). Typed arrays are views
   * of the same memory; bool and str columns are copied.
   */
  slice(start: number, end: number = this.length): Frame {
    for (const [label, position] of [
      ['start', start],
      ['end', end],
    ] as const) {
      if (!Number.isInteger(position)) {
        throw new VarveError('InvalidArgument', `slice ${label} must be an integer, got ${String(position)}.`)
      }
    }
    const from = clampPosition(start, this.length)
    const to = Math.max(from, clampPosition(end, this.length))
    const columns: Record<string, ColumnArray> = {}
    for (const spec of this.schema.columns)
      columns[spec.name] = sliceColumn(this.columns[spec.name]!, from, to)
    return new Frame(this.schema, columns)
  }

  /**
   * A frame of the named value columns plus every index column (always kept,
   * naming them is allowed); columns stay in schema order and share memory
   * with this frame. Unknown names are a VarveError 'InvalidArgument'.
   */
  select(names: readonly string[]): Frame {
    const schema = this.schema.select(names)
    return new Frame(
      schema,
      Object.fromEntries(schema.columns.map((spec) => [spec.name, this.columns[spec.name]!])),
    )
  }

  /**
   * An Apache Arrow table of one batch. Numeric and timestamp columns share
   * memory with this frame (no copy); timestamps are Arrow Timestamps in the
   * schema's unit with time zone UTC, str is Utf8, bool is Bool; index fields
   * carry the metadata `varve:index = true`, which `fromArrow` reads back.
   */
  toArrow(): Table {
    return columnsToArrow(this.schema.columns, this.columns, this.length)
  }

  /**
   * True when `other` has an equal schema and the same values. Floats compare
   * as `Object.is`: NaN equals NaN, and -0 differs from 0 (storage keeps the sign).
   */
  equals(other: Frame): boolean {
    if (this === other) return true
    if (!this.schema.equals(other.schema) || this.length !== other.length) return false
    return this.schema.columns.every((spec) =>
      columnsEqual(this.columns[spec.name]!, other.columns[spec.name]!),
    )
  }

  /**
   * A readable, aligned table: a header of column names, timestamps as
   * ISO-8601 UTC, the first and last rows with '…' between when there are
   * more than `maxRows` (default 10), and the shape below, like
   * `[100000 rows × 2 columns]`.
   */
  toString(options?: FrameFormatOptions): string {
    return formatFrame(this.schema.columns, this.columns, this.length, options)
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}

function clampPosition(position: number, length: number): number {
  return position < 0 ? Math.max(length + position, 0) : Math.min(position, length)
}

function invalidFrame(column: string, problem: string): VarveError {
  return new VarveError(
    'InvalidArgument',
    `Cannot build a frame: ${problem}. Use Schema#coerce for user input.`,
    {
      details: { column },
    },
  )
}
