import type { Closed, Collection, IndexBound, ReadOptions } from '@varve/core'
import { badRequest } from './http-status.ts'

type Query = Record<string, unknown>

/** A revision id (or unique prefix of one), else an instant; `undefined` when absent. */
export function parseAt(value: unknown): string | Date | undefined {
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') throw badRequest('Give one at= value: a revision id or an ISO date.')
  if (/^[0-9a-f]{4,16}(-[0-9a-f]{0,8})?$/.test(value)) return value
  const date = new Date(value)
  if (Number.isNaN(date.getTime()))
    throw badRequest(`at=${JSON.stringify(value)} is neither a revision id nor a date.`)
  return date
}

/** `series.read` options from a query: start, stop, closed, select (comma-separated), limit, offset, at. */
export function readOptionsFrom(collection: Collection, query: Query): ReadOptions {
  const options: { -readonly [K in keyof ReadOptions]: ReadOptions[K] } = {}
  const start = bound(collection, query.start, 'start')
  const stop = bound(collection, query.stop, 'stop')
  if (start !== undefined) options.start = start
  if (stop !== undefined) options.stop = stop
  if (query.closed !== undefined) options.closed = one(query.closed, 'closed') as Closed
  if (query.select !== undefined) {
    const text = one(query.select, 'select')
    options.select = text === '' ? [] : text.split(',')
  }
  if (query.limit !== undefined) options.limit = whole(query.limit, 'limit')
  if (query.offset !== undefined) options.offset = whole(query.offset, 'offset')
  const at = parseAt(query.at)
  if (at !== undefined) options.at = at
  return options
}

// Query values are text: integer index columns get numbers (bigints past 2^53), others the text.
function bound(collection: Collection, value: unknown, name: string): IndexBound | undefined {
  if (value === undefined || value === '') return undefined
  const text = one(value, name)
  const type = collection.schema.indexColumns[0]?.type ?? ''
  if (/^u?int/.test(type) && /^-?\d+$/.test(text)) {
    const n = BigInt(text)
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n
  }
  return text
}

function one(value: unknown, name: string): string {
  if (typeof value !== 'string') throw badRequest(`Give ${name} once.`)
  return value
}

export function whole(value: unknown, name: string): number {
  const text = one(value, name)
  const n = Number(text)
  if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(n))
    throw badRequest(`${name} must be a whole number ≥ 0.`)
  return n
}
