import type { ColumnType, Frame, Schema, TimeUnit } from '@varve/core'
import { VarveError } from '@varve/core'
import { tableToIPC } from 'apache-arrow'
import { stringify } from 'csv-stringify/sync'
import { jsonReplacer } from './output.ts'

/** How `read` prints a frame. */
export type FrameFormat = 'table' | 'csv' | 'json' | 'arrow'

const PER_MS: Readonly<Record<string, bigint>> = { us: 1000n, ns: 1_000_000n }

/** A timestamp of `unit` as ISO-8601 UTC, keeping every digit of us and ns (a Date holds only ms). */
export function isoTimestamp(value: bigint, unit: TimeUnit): string {
  if (unit === 's') return new Date(Number(value) * 1000).toISOString()
  if (unit === 'ms') return new Date(Number(value)).toISOString()
  const per = PER_MS[unit]!
  let ms = value / per
  if (value % per !== 0n && value < 0n) ms -= 1n
  const fraction = (value - ms * per).toString().padStart(unit === 'us' ? 3 : 6, '0')
  return new Date(Number(ms)).toISOString().replace('Z', `${fraction}Z`)
}

/** The unit of a timestamp type, undefined for other types. */
export function timeUnit(type: ColumnType): TimeUnit | undefined {
  return type.startsWith('timestamp[') ? (type.slice('timestamp['.length, -1) as TimeUnit) : undefined
}

/** A value of the first index column as text (timestamps ISO-8601). */
export function formatIndexValue(value: unknown, schema: Schema): string {
  const unit = timeUnit(schema.indexColumns[0]!.type)
  return unit === undefined ? String(value) : isoTimestamp(value as bigint, unit)
}

/** Each column as a function from row to text (timestamps ISO-8601 UTC, int64 exact). */
function cellReaders(frame: Frame): ((row: number) => string)[] {
  return frame.schema.columns.map((spec) => {
    const values = frame.columns[spec.name] as ArrayLike<unknown>
    const unit = timeUnit(spec.type)
    if (unit !== undefined) return (row) => isoTimestamp(values[row] as bigint, unit)
    return (row) => String(values[row])
  })
}

function cellTexts(frame: Frame): string[][] {
  const readers = cellReaders(frame)
  const rows: string[][] = []
  for (let row = 0; row < frame.length; row++) rows.push(readers.map((read) => read(row)))
  return rows
}

/** The frame in `format`, as bytes or text for stdout. */
export function renderFrame(frame: Frame, format: FrameFormat, maxRows: number): string | Uint8Array {
  switch (format) {
    case 'table':
      return `${frame.toString({ maxRows })}\n`
    case 'csv':
      return stringify([frame.schema.columns.map((c) => c.name), ...cellTexts(frame)])
    case 'json': {
      const names = frame.schema.columns.map((c) => c.name)
      const readers = frame.schema.columns.map((spec, i) =>
        spec.type.startsWith('timestamp')
          ? cellReaders(frame)[i]!
          : (row: number) => (frame.columns[spec.name] as ArrayLike<unknown>)[row],
      )
      let out = ''
      for (let row = 0; row < frame.length; row++) {
        const record: Record<string, unknown> = {}
        names.forEach((name, i) => {
          record[name] = readers[i]!(row)
        })
        out += `${JSON.stringify(record, jsonReplacer)}\n`
      }
      return out
    }
    case 'arrow':
      return tableToIPC(frame.toArrow(), 'stream')
  }
}

/** Refuses to pour binary Arrow onto a terminal. */
export function checkBinaryTarget(format: FrameFormat, output: string | undefined): void {
  if (format === 'arrow' && output === undefined && process.stdout.isTTY) {
    throw new VarveError(
      'InvalidArgument',
      'Arrow output is binary: redirect it (varve read ... --arrow > out.arrows) or pass --output <file>.',
    )
  }
}
