import type { Frame } from './frame.ts'
import {
  compareIndexValues,
  type IndexValue,
  type IndexValueJson,
  indexValueAt,
  indexValueFromJson,
  indexValueToJson,
  lowerBound,
} from './index-value.ts'
import type { Schema } from './schema.ts'

/** The index of one row: one value per index column, compared lexicographically. */
export type IndexKey = readonly IndexValue[]

export function compareIndexKeys(a: IndexKey, b: IndexKey): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const c = compareIndexValues(a[i]!, b[i]!)
    if (c !== 0) return c
  }
  return a.length - b.length
}

export function rowKey(frame: Frame, row: number): IndexKey {
  return frame.schema.indexColumns.map((spec) => indexValueAt(frame.columns[spec.name]!, row))
}

/**
 * The first row whose index is ≥ `key` (> `key` when `strict`). A key shorter
 * than the index compares on its leading columns only, so `[t]` finds the
 * first (or, strict, past the last) row at time t of a composite index.
 */
export function searchRows(frame: Frame, key: IndexKey, strict = false): number {
  const index = frame.schema.indexColumns
  if (key.length === 1) return lowerBound(frame.columns[index[0]!.name]!, key[0]!, strict)
  let lo = 0
  let hi = frame.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareIndexKeys(rowKey(frame, mid).slice(0, key.length), key)
    if (c < 0 || (strict && c === 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function indexKeyToJson(key: IndexKey): IndexValueJson[] {
  return key.map(indexValueToJson)
}

export function indexKeyFromJson(schema: Schema, json: unknown): IndexKey {
  const index = schema.indexColumns
  if (!Array.isArray(json) || json.length !== index.length) {
    return index.map((spec) => indexValueFromJson(spec.type, undefined))
  }
  return index.map((spec, i) => indexValueFromJson(spec.type, json[i]))
}
