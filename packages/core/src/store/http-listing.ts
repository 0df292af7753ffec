import { VarveError } from '../errors/varve-error.ts'
import type { HttpCall } from './http-store-errors.ts'
import { compareKeys } from './keys.ts'

/** The path, below the base URL, of a Varve server's paged listing: `?prefix=&after=` → `{ keys, next? }`. */
export const SERVER_LIST_PATH = '.varve/list'
/** The file name of a static listing index, one per folder (a dot-name, so no key can collide with it). */
export const STATIC_INDEX_NAME = '.varve-index.json'

/**
 * A static listing index: the names of one folder's objects and, with a trailing '/', of its
 * sub-folders (which hold their own index), sorted by UTF-8 bytes.
 */
export interface StaticIndex {
  readonly kind: 'varve-index'
  readonly entries: readonly string[]
}

/** What the listing needs from the store: a GET of a path below the base URL, 404 as undefined. */
export type FetchText = (path: string, call: HttpCall) => Promise<string | undefined>

/** Parses one page of a server listing; a malformed page is `StoreFailure`, never garbage keys. */
export function parseServerPage(call: HttpCall, text: string): { keys: string[]; next?: string } {
  const page = parseJsonText(call, text) as { keys?: unknown; next?: unknown } | null
  const keys = page?.keys
  const next = page?.next
  if (
    !Array.isArray(keys) ||
    !keys.every((k) => typeof k === 'string') ||
    (next != null && typeof next !== 'string')
  ) {
    throw malformed(call, 'a listing page without { keys: string[], next?: string }', text)
  }
  return next == null ? { keys } : { keys, next }
}

/** Parses a static index file (see {@link StaticIndex}). */
export function parseStaticIndex(call: HttpCall, text: string): string[] {
  const index = parseJsonText(call, text) as Partial<StaticIndex> | null
  const entries = index?.entries
  const valid = (e: unknown) => typeof e === 'string' && e.length > 0 && !e.slice(0, -1).includes('/')
  if (index?.kind !== 'varve-index' || !Array.isArray(entries) || !entries.every(valid)) {
    throw malformed(call, `a ${STATIC_INDEX_NAME} without { kind: "varve-index", entries: string[] }`, text)
  }
  return [...entries].sort(compareKeys)
}

/**
 * Every key starting with `prefix`, walking static indexes: the index of the prefix's folder, then
 * of each matching sub-folder, in UTF-8 order. A folder without an index holds nothing.
 */
export async function* walkStaticIndexes(
  fetchIndex: (folder: string) => Promise<string[] | undefined>,
  prefix: string,
): AsyncGenerator<string> {
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1)
  const rest = prefix.slice(folder.length)
  yield* walkFolder(fetchIndex, folder, rest)
}

async function* walkFolder(
  fetchIndex: (folder: string) => Promise<string[] | undefined>,
  folder: string,
  startsWith: string,
): AsyncGenerator<string> {
  const entries = (await fetchIndex(folder)) ?? []
  for (const entry of entries) {
    if (!entry.startsWith(startsWith)) continue
    if (entry.endsWith('/')) yield* walkFolder(fetchIndex, folder + entry, '')
    else yield folder + entry
  }
}

function parseJsonText(call: HttpCall, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new VarveError('StoreFailure', `${call.store} answered a listing that is not JSON (${call.url}).`, {
      cause,
      details: { prefix: call.target, operation: 'list' },
    })
  }
}

function malformed(call: HttpCall, what: string, text: string): VarveError {
  return new VarveError('StoreFailure', `${call.store} answered ${what}: ${text.slice(0, 200)}`, {
    details: { prefix: call.target, operation: 'list' },
  })
}
