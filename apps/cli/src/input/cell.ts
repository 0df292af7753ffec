import { type ColumnSpec, VarveError } from '@varve/core'

/** Where a value was read, for messages: `Line 4 of prices.csv`, `Row 4 of prices.parquet`. */
export interface Site {
  readonly source: string
  readonly line: number
  /** What `line` counts: lines of text (default), or rows (Parquet). */
  readonly unit?: 'Line' | 'Row'
}

/** Bad input, naming the line (and column) so the user can find it. */
export function badInput(site: Site, column: string | undefined, problem: string): VarveError {
  const where = `${site.unit ?? 'Line'} ${site.line} of ${site.source}${column === undefined ? '' : `, column "${column}"`}`
  return new VarveError('InvalidArgument', `${where}: ${problem}`, { details: { line: site.line, column } })
}

/**
 * A CSV cell (always text) as the value its column's type takes: numbers for
 * floats and small ints, bigints for int64/uint64 and for timestamps given as
 * integers (a count of the column's unit), booleans for `true/false/1/0`;
 * ISO date-times stay text for the schema to parse. An empty cell is refused:
 * Varve has no missing values.
 */
export function parseCell(text: string, spec: ColumnSpec, site: Site): unknown {
  if (text === '') throw badInput(site, spec.name, 'the cell is empty; every row needs a value.')
  const type = spec.type
  if (type === 'str') return text
  if (type === 'bool') {
    const lower = text.toLowerCase()
    if (lower === 'true' || lower === '1') return true
    if (lower === 'false' || lower === '0') return false
    throw badInput(site, spec.name, `${JSON.stringify(text)} is not a bool (true, false, 1 or 0).`)
  }
  if (type.startsWith('timestamp')) return /^[+-]?\d+$/.test(text) ? BigInt(text) : text
  if (type === 'int64' || type === 'uint64') {
    if (!/^[+-]?\d+$/.test(text))
      throw badInput(site, spec.name, `${JSON.stringify(text)} is not an integer.`)
    return BigInt(text)
  }
  const number = Number(text)
  if (Number.isNaN(number) && text !== 'NaN') {
    throw badInput(site, spec.name, `${JSON.stringify(text)} is not a number.`)
  }
  return number
}

/**
 * A JSON value as its column's type takes it: like `parseCell`, but numbers and
 * booleans arrive typed; int64/uint64 and timestamps may come as integer
 * strings (JSON numbers lose digits past 2^53).
 */
export function parseJsonValue(value: unknown, spec: ColumnSpec, site: Site): unknown {
  if (value === null || value === undefined) {
    throw badInput(site, spec.name, 'the value is missing; every row needs a value.')
  }
  if (typeof value === 'string' && spec.type !== 'str') return parseCell(value, spec, site)
  if (typeof value === 'number' && (spec.type === 'int64' || spec.type === 'uint64')) {
    return Number.isSafeInteger(value) ? BigInt(value) : value
  }
  return value
}
