import { typedArrayOf } from './coerce-column.ts'
import type { ColumnArray, ColumnType } from './column-types.ts'

type TypedColumn = Exclude<ColumnArray, boolean[] | string[]>

/** True when `values` is the array kind that holds `type` (exact typed array class, or a plain array). */
export function isColumnArrayOf(type: ColumnType, values: unknown): values is ColumnArray {
  const Typed = typedArrayOf(type)
  return Typed === undefined ? Array.isArray(values) : values instanceof Typed && values.constructor === Typed
}

/** A zero-length column of `type`. */
export function emptyColumn(type: ColumnType): ColumnArray {
  const Typed = typedArrayOf(type)
  return Typed === undefined ? [] : new Typed(0)
}

/** Rows [start, end) of a column: a view of the same memory for typed arrays, a copy for plain arrays. */
export function sliceColumn(values: ColumnArray, start: number, end: number): ColumnArray {
  return Array.isArray(values) ? values.slice(start, end) : (values as TypedColumn).subarray(start, end)
}

/** The columns' values one after another, in a new array of `type`. */
export function concatColumns(type: ColumnType, parts: readonly ColumnArray[]): ColumnArray {
  const Typed = typedArrayOf(type)
  if (Typed === undefined) return (parts as readonly (boolean | string)[][]).flat() as ColumnArray
  let length = 0
  for (const part of parts) length += part.length
  const out = new Typed(length) as Float64Array
  let offset = 0
  for (const part of parts) {
    out.set(part as Float64Array, offset)
    offset += part.length
  }
  return out
}

/** Value equality of two columns of one type: NaN equals NaN, -0 differs from 0 (as `Object.is`). */
export function columnsEqual(a: ColumnArray, b: ColumnArray): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  const left = a as ArrayLike<unknown>
  const right = b as ArrayLike<unknown>
  for (let i = 0; i < left.length; i++) {
    if (!Object.is(left[i], right[i])) return false
  }
  return true
}
