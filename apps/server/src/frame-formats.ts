import type { Frame } from '@varve/core'
import { tableToIPC } from 'apache-arrow'

/** The formats a series read answers in. */
export type FrameFormat = 'json' | 'csv' | 'arrow'

export const CONTENT_TYPES: Record<FrameFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  arrow: 'application/vnd.apache.arrow.stream',
}

/** The format a request asks for: `?format=` first, then the Accept header, JSON by default. */
export function chooseFormat(query: unknown, accept: string | undefined): FrameFormat | undefined {
  if (query === 'json' || query === 'csv' || query === 'arrow') return query
  if (query !== undefined) return undefined
  if (accept?.includes('application/vnd.apache.arrow')) return 'arrow'
  if (accept?.includes('text/csv')) return 'csv'
  return 'json'
}

/** The frame in `format`: Arrow IPC stream bytes, CSV text, or JSON `{ columns: { name: values } }`. */
export function encodeFrame(frame: Frame, format: FrameFormat): Buffer | string {
  if (format === 'arrow') return Buffer.from(tableToIPC(frame.toArrow(), 'stream'))
  const names = frame.schema.columns.map((c) => c.name)
  const text = names.map((name) => cellTexts(frame, name))
  if (format === 'csv') {
    const lines = [names.map(csvCell).join(',')]
    for (let row = 0; row < frame.length; row++)
      lines.push(text.map((col) => csvCell(col[row] ?? '')).join(','))
    return `${lines.join('\n')}\n`
  }
  const columns: Record<string, unknown[]> = {}
  frame.schema.columns.forEach((spec, i) => {
    const values = frame.column(spec.name) as ArrayLike<unknown>
    columns[spec.name] =
      spec.type.startsWith('timestamp') || typeof values[0] === 'bigint'
        ? (text[i] as string[])
        : Array.from(values)
  })
  return JSON.stringify({ schema: frame.schema.toJSON(), length: frame.length, columns })
}

const UNIT_TO_NS: Record<string, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1000n, ns: 1n }

// Timestamps as ISO-8601 in UTC with the column's precision; 64-bit integers as decimal text.
function cellTexts(frame: Frame, name: string): string[] {
  const spec = frame.schema.column(name)!
  const values = frame.column(name) as ArrayLike<unknown>
  const out = new Array<string>(frame.length)
  const unit = /^timestamp\[(\w+)\]$/.exec(spec.type)?.[1]
  for (let i = 0; i < frame.length; i++) {
    const value = values[i]
    out[i] = unit === undefined ? String(value) : isoTime(value as bigint, unit)
  }
  return out
}

function isoTime(value: bigint, unit: string): string {
  const ns = value * UNIT_TO_NS[unit]!
  const ms = ns / 1_000_000n - (ns % 1_000_000n < 0n ? 1n : 0n)
  const iso = new Date(Number(ms)).toISOString()
  if (unit === 's' || unit === 'ms') return iso
  const below = ((ns % 1_000_000n) + 1_000_000n) % 1_000_000n
  const digits = unit === 'us' ? String(below / 1000n).padStart(3, '0') : String(below).padStart(6, '0')
  return `${iso.slice(0, -1)}${digits}Z`
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}
