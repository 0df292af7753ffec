import type { Collection, Frame } from '@varve/core'
import { downsampleMinMax } from './downsample.ts'
import { badRequest } from './http-status.ts'

/** The most pixel columns a chart may ask for. */
export const MAX_CHART_WIDTH = 4000

const PER_SECOND: Record<string, number> = { s: 1, ms: 1e3, us: 1e6, ns: 1e9 }

/** A series column ready to draw: x in seconds for timestamp indexes, else the index value (or row number). */
export interface ChartData {
  readonly column: string
  readonly time: boolean
  /** Rows read before downsampling. */
  readonly rows: number
  readonly x: number[]
  readonly y: number[]
}

/** The value column a chart draws: the one asked for, else the first numeric value column. */
export function chartColumn(collection: Collection, asked: unknown): string {
  const numeric = collection.schema.valueColumns.filter((c) => c.type !== 'str')
  if (asked === undefined || asked === '') {
    const first = numeric[0]
    if (first === undefined)
      throw badRequest(`Collection "${collection.name}" has no numeric column to chart.`)
    return first.name
  }
  if (typeof asked !== 'string' || !numeric.some((c) => c.name === asked)) {
    throw badRequest(`column must name a numeric value column: ${numeric.map((c) => c.name).join(', ')}.`)
  }
  return asked
}

/** Downsamples a frame holding the index and `column` to min/max per pixel column of `width`. */
export function chartData(frame: Frame, column: string, width: number): ChartData {
  const index = frame.schema.indexColumns[0]!
  const unit = /^timestamp\[(\w+)\]$/.exec(index.type)?.[1]
  const xs = frame.column(index.name) as ArrayLike<unknown>
  const ys = frame.column(column) as ArrayLike<unknown>
  const x = new Float64Array(frame.length)
  const y = new Float64Array(frame.length)
  const divisor = unit === undefined ? 1 : PER_SECOND[unit]!
  for (let i = 0; i < frame.length; i++) {
    const xv = xs[i]
    x[i] = typeof xv === 'string' ? i : Number(xv) / divisor
    y[i] = Number(ys[i])
  }
  const points = downsampleMinMax(x, y, width)
  return {
    column,
    time: unit !== undefined,
    rows: frame.length,
    x: Array.from(points.x),
    y: Array.from(points.y),
  }
}
