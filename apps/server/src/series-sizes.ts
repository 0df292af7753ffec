import { createHash } from 'node:crypto'
import { forEachLimited, type Revision, type Store, VarveError } from '@varve/core'

/** One series of a collection as the viewer lists it. */
export interface SeriesSize {
  readonly label: string
  readonly rows: number
  /** Stored bytes of its chunks (shared chunks counted in each series that holds them). */
  readonly bytes: number
}

/**
 * The series of the state a loose revision made, with their row counts and stored bytes, read
 * from the metadata objects docs/format.md describes (revision → tree nodes → series indexes),
 * without reading a chunk. Every object is checked against its hash (`Integrity`).
 */
export async function seriesSizes(store: Store, revision: Revision): Promise<SeriesSize[]> {
  const entries = await seriesEntries(store, revision)
  const sizes: SeriesSize[] = new Array(entries.length)
  await forEachLimited(entries, 16, async ([label, seriesHash, rows], i) => {
    const index = (await readObject(store, seriesHash)) as { segments?: unknown[] }
    const bytes = (index.segments ?? []).reduce<number>((sum, s) => sum + Number((s as unknown[])[1] ?? 0), 0)
    sizes[i] = { label, rows, bytes }
  })
  return sizes
}

/** The `[label, series index hash, rows]` entries of the state a loose revision made: tree nodes only. */
export async function seriesEntries(store: Store, revision: Revision): Promise<[string, string, number][]> {
  const body = (await readJson(store, revision.key)) as { root?: unknown }
  if (typeof body?.root !== 'string') return []
  const entries: [string, string, number][] = []
  await walkTree(store, body.root, entries)
  return entries
}

/** The head reads follow: the one with the greatest id (docs/format.md). */
export function latestHead(heads: readonly Revision[]): Revision | undefined {
  return heads.reduce<Revision | undefined>((a, b) => (a && a.id > b.id ? a : b), undefined)
}

async function walkTree(store: Store, hash: string, out: [string, string, number][]): Promise<void> {
  const node = (await readObject(store, hash)) as { kind?: string; entries?: unknown[]; children?: unknown[] }
  if (node.kind === 'leaf') {
    for (const entry of node.entries ?? []) out.push(entry as [string, string, number])
    return
  }
  for (const child of node.children ?? []) if (typeof child === 'string') await walkTree(store, child, out)
}

async function readObject(store: Store, hash: string): Promise<unknown> {
  const key = `objects/${hash.slice(0, 2)}/${hash.slice(2)}`
  const bytes = await readBytes(store, key)
  if (createHash('sha256').update(bytes).digest('hex') !== hash) {
    throw new VarveError('Integrity', `Object ${key} does not match its hash.`, { details: { key } })
  }
  return parse(bytes, key)
}

async function readJson(store: Store, key: string): Promise<unknown> {
  return parse(await readBytes(store, key), key)
}

async function readBytes(store: Store, key: string): Promise<Uint8Array> {
  const bytes = await store.get(key)
  if (bytes === undefined) throw new VarveError('NotFound', `Object ${key} is missing.`, { details: { key } })
  return bytes
}

function parse(bytes: Uint8Array, key: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch (cause) {
    throw new VarveError('Integrity', `Object ${key} is not JSON.`, { cause, details: { key } })
  }
}
