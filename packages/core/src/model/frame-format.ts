import { VarveError } from '../errors/varve-error.ts'
import { type ColumnArray, type ColumnType, isTimestampType, timeUnitOf } from './column-types.ts'
import type { ColumnSpec } from './schema-definition.ts'
import { formatTimestamp } from './timestamp.ts'

/** Options of `Frame#toString`. */
export interface FrameFormatOptions {
  /** Rows shown at most; a longer frame shows its head and tail with '…' between. Default 10. */
  readonly maxRows?: number
}

const MAX_CELL_WIDTH = 40
const GAP = '  '
const CONTROL_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * Renders columns as an aligned text table: a header of column names,
 * numbers right-aligned, timestamps as ISO-8601 UTC, the head and tail rows
 * when there are more than `maxRows`, and the shape at the bottom, like
 * `[100000 rows × 2 columns]`.
 */
export function formatFrame(
  specs: readonly ColumnSpec[],
  columns: Readonly<Record<string, ColumnArray>>,
  length: number,
  options: FrameFormatOptions = {},
): string {
  const maxRows = options.maxRows ?? 10
  if (!Number.isInteger(maxRows) || maxRows < 0) {
    throw new VarveError('InvalidArgument', `maxRows must be a whole number ≥ 0, got ${String(maxRows)}.`)
  }
  const shown: (number | undefined)[] = []
  if (length <= maxRows) {
    for (let row = 0; row < length; row++) shown.push(row)
  } else {
    const head = Math.ceil(maxRows / 2)
    for (let row = 0; row < head; row++) shown.push(row)
    shown.push(undefined)
    for (let row = length - (maxRows - head); row < length; row++) shown.push(row)
  }
  const table = specs.map((spec) => {
    const format = cellFormatter(spec.type)
    const values = columns[spec.name] as ArrayLike<unknown>
    const cells = [spec.name, ...shown.map((row) => (row === undefined ? '…' : format(values[row])))]
    const width = cells.reduce((widest, cell) => Math.max(widest, cell.length), 0)
    const right = isNumeric(spec.type)
    return cells.map((cell) => (right ? cell.padStart(width) : cell.padEnd(width)))
  })
  const lines = table[0]!.map((_, line) =>
    table
      .map((cells) => cells[line])
      .join(GAP)
      .trimEnd(),
  )
  lines.push(`[${plural(length, 'row')} × ${plural(specs.length, 'column')}]`)
  return lines.join('\n')
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function isNumeric(type: ColumnType): boolean {
  return type !== 'bool' && type !== 'str' && !isTimestampType(type)
}

function cellFormatter(type: ColumnType): (value: unknown) => string {
  if (isTimestampType(type)) {
    const unit = timeUnitOf(type)
    return (value) => formatTimestamp(value as bigint, unit)
  }
  switch (type) {
    case 'str':
      return (value) => formatText(value as string)
    case 'float32':
      return (value) => formatFloat32(value as number)
    case 'float64':
      return (value) => (Object.is(value, -0) ? '-0' : String(value))
    default:
      return String
  }
}

// Control characters would break the layout, so they show escaped; long text is cut.
function formatText(text: string): string {
  const visible = text.replace(
    /\p{Cc}/gu,
    (char) => CONTROL_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return visible.length > MAX_CELL_WIDTH ? `${visible.slice(0, MAX_CELL_WIDTH - 1)}…` : visible
}

// The shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612).
function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Object.is(value, -0)) return '-0'
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits))
    if (Math.fround(candidate) === value) return String(candidate)
  }
  return String(Number(value.toPrecision(9)))
}
