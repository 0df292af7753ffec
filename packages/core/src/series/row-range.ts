import { VarveError } from '../errors/varve-error.ts'
import type { ColumnArray } from '../model/column-types.ts'
import { type Closed, compareIndexValues, type IndexValue, lowerBound } from '../model/index-value.ts'

export type { Closed }

/** A range over the first index column; an absent bound is open-ended. */
export interface RowRange {
  readonly start?: IndexValue | undefined
  readonly stop?: IndexValue | undefined
  readonly closed: Closed
}

export const ALL_ROWS: RowRange = { closed: 'both' }

export function validateClosed(closed: unknown): Closed {
  if (closed === 'both' || closed === 'left' || closed === 'right' || closed === 'neither') return closed
  throw new VarveError(
    'InvalidArgument',
    `Invalid closed ${JSON.stringify(closed)}: use 'both', 'left', 'right' or 'neither'.`,
  )
}

/** Rows `[from, to)` of a sorted index column that fall in the range. */
export function spanOf(values: ColumnArray, range: RowRange): [number, number] {
  const includeStart = range.closed === 'both' || range.closed === 'left'
  const includeStop = range.closed === 'both' || range.closed === 'right'
  const from = range.start === undefined ? 0 : lowerBound(values, range.start, !includeStart)
  const to = range.stop === undefined ? values.length : lowerBound(values, range.stop, includeStop)
  return [from, Math.max(from, to)]
}

/** Whether values `first..last` (inclusive) can hold a row inside the range. */
export function overlaps(first: IndexValue, last: IndexValue, range: RowRange): boolean {
  const includeStart = range.closed === 'both' || range.closed === 'left'
  const includeStop = range.closed === 'both' || range.closed === 'right'
  if (range.start !== undefined) {
    const c = compareIndexValues(last, range.start)
    if (c < 0 || (c === 0 && !includeStart)) return false
  }
  if (range.stop !== undefined) {
    const c = compareIndexValues(first, range.stop)
    if (c > 0 || (c === 0 && !includeStop)) return false
  }
  return true
}

/** Whether every value of `first..last` lies inside the range. */
export function contains(first: IndexValue, last: IndexValue, range: RowRange): boolean {
  const includeStart = range.closed === 'both' || range.closed === 'left'
  const includeStop = range.closed === 'both' || range.closed === 'right'
  if (range.start !== undefined) {
    const c = compareIndexValues(first, range.start)
    if (c < 0 || (c === 0 && !includeStart)) return false
  }
  if (range.stop !== undefined) {
    const c = compareIndexValues(last, range.stop)
    if (c > 0 || (c === 0 && !includeStop)) return false
  }
  return true
}
