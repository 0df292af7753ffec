import { VarveError } from '../errors/varve-error.ts'
import type { Schema } from '../model/schema.ts'
import { type Closed, type RowRange, validateClosed } from '../series/row-range.ts'
import type { ReadPlan } from '../series/segment-reader.ts'
import type { Version } from './snapshot.ts'

/** A bound on the first index column: what the schema coerces (ISO strings and Dates for timestamps, numbers, bigints). */
export type IndexBound = string | number | bigint | Date

export interface DeleteOptions {
  readonly start?: IndexBound
  readonly stop?: IndexBound
  /** Which bounds count as inside. Default 'both'. */
  readonly closed?: Closed
}

export interface ReadOptions extends DeleteOptions {
  /** Value columns to return (index columns always come). Default: all. */
  readonly select?: readonly string[]
  /** Rows to return at most. */
  readonly limit?: number
  /** Rows to skip first. */
  readonly offset?: number
  /** Read the past: a revision id (or a unique prefix) or a Date. Default: the latest. */
  readonly at?: Version
}

const READ_KEYS = new Set(['start', 'stop', 'closed', 'select', 'limit', 'offset', 'at'])
const DELETE_KEYS = new Set(['start', 'stop', 'closed'])

export function toRowRange(schema: Schema, options: DeleteOptions, isDelete = false): RowRange {
  if (typeof options !== 'object' || options === null) {
    throw new VarveError('InvalidArgument', 'Options must be an object such as { start, stop }.')
  }
  const allowed = isDelete ? DELETE_KEYS : READ_KEYS
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new VarveError(
        'InvalidArgument',
        `Unknown option "${key}"; the options are ${[...allowed].join(', ')}.`,
      )
    }
  }
  if (isDelete && options.start === undefined && options.stop === undefined) {
    throw new VarveError(
      'InvalidArgument',
      'delete() needs start and/or stop; to drop every row pass the series range explicitly.',
    )
  }
  const start = options.start === undefined ? undefined : schema.coerceIndexValue(options.start)
  const stop = options.stop === undefined ? undefined : schema.coerceIndexValue(options.stop)
  return { start, stop, closed: options.closed === undefined ? 'both' : validateClosed(options.closed) }
}

export function toReadPlan(
  schema: Schema,
  options: ReadOptions,
): ReadPlan & { offset: number; limit: number | undefined } {
  const range = toRowRange(schema, options)
  const offset = count(options.offset, 'offset') ?? 0
  const limit = count(options.limit, 'limit')
  let columns = schema.columns.map((c) => c.name)
  if (options.select !== undefined) {
    if (!Array.isArray(options.select))
      throw new VarveError('InvalidArgument', 'select must be an array of column names.')
    for (const name of options.select) {
      if (schema.column(name) === undefined) {
        throw new VarveError(
          'InvalidArgument',
          `Unknown column "${name}" in select; the columns are ${columns.join(', ')}.`,
        )
      }
    }
    columns = schema.columns.filter((c) => c.index || options.select!.includes(c.name)).map((c) => c.name)
  }
  return { range, columns, offset, limit }
}

function count(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new VarveError(
      'InvalidArgument',
      `${name} must be a whole number ≥ 0, got ${JSON.stringify(value)}.`,
    )
  }
  return value
}
