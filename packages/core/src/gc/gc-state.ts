import { randomBytes } from 'node:crypto'
import { encodeJson, parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'

/**
 * Gc's memory between runs: records under `gc/`, one per run that found
 * garbage it did not delete yet, named `gc/<UTC time>-<8 hex random>` (time
 * as `20261123T120000.000Z`, so records sort by age). A record maps each
 * candidate key to when a run first saw it unreferenced. Keys under `gc/`
 * of another shape are not gc's and are left alone.
 */
export const GC_PREFIX = 'gc/'
const RECORD_NAME = /^gc\/\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}$/
const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** The candidates of every record found, merged, and the record keys they came from. */
export interface GcState {
  /** Key → when it was first seen unreferenced (ms since the epoch), the earliest any record says. */
  readonly firstSeen: ReadonlyMap<string, number>
  readonly records: readonly string[]
}

/** Reads every gc record: one listing of `gc/`, one read per record. */
export async function readGcState(store: Store): Promise<GcState> {
  const records: string[] = []
  for await (const key of store.list(GC_PREFIX)) if (RECORD_NAME.test(key)) records.push(key)
  const firstSeen = new Map<string, number>()
  for (const key of records) {
    const bytes = await store.get(key)
    // A record removed by a concurrent run since the listing: that run carried its candidates on.
    if (bytes === undefined) continue
    for (const [candidate, seen] of parseRecord(bytes, key)) {
      const known = firstSeen.get(candidate)
      if (known === undefined || seen < known) firstSeen.set(candidate, seen)
    }
  }
  return { firstSeen, records }
}

/** Writes a new record of `candidates` (key → first seen, ms) created-only under a fresh key; returns the key. */
export async function writeGcRecord(
  store: Store,
  written: number,
  candidates: ReadonlyMap<string, number>,
): Promise<string> {
  const groups = new Map<number, string[]>()
  for (const [key, seen] of candidates) {
    const group = groups.get(seen) ?? []
    group.push(key)
    groups.set(seen, group)
  }
  const json = {
    kind: 'gc-candidates',
    written: isoTime(written),
    candidates: [...groups].sort(([a], [b]) => a - b).map(([seen, keys]) => [isoTime(seen), keys.sort()]),
  }
  const key = `${GC_PREFIX}${isoTime(written).replace(/[-:]/g, '')}-${randomBytes(4).toString('hex')}`
  await store.create(key, encodeJson(json))
  return key
}

/** `ms` as an ISO 8601 UTC time; `InvalidArgument` for a time a record cannot hold. */
export function isoTime(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > LATEST_TIME) {
    throw new VarveError(
      'InvalidArgument',
      `gc's clock returned ${JSON.stringify(ms)}; it must return whole milliseconds since 1970 (as Date.now does).`,
    )
  }
  return new Date(ms).toISOString()
}

function parseRecord(bytes: Uint8Array, key: string): [string, number][] {
  const raw = parseJson(bytes, key) as { kind?: unknown; candidates?: unknown }
  const out: [string, number][] = []
  if (raw?.kind === 'gc-candidates' && Array.isArray(raw.candidates)) {
    for (const group of raw.candidates as unknown[]) {
      const [seen, keys] = Array.isArray(group) ? group : []
      const ms = typeof seen === 'string' ? Date.parse(seen) : Number.NaN
      if (Number.isNaN(ms) || !Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
        throw malformed(key)
      }
      for (const candidate of keys as string[]) out.push([candidate, ms])
    }
    return out
  }
  throw malformed(key)
}

function malformed(key: string): VarveError {
  return new VarveError(
    'Integrity',
    `Gc record ${key} is malformed. Delete it and run gc again: only the ages of pending candidates are forgotten (they wait one more grace period), nothing else is lost.`,
    { details: { key } },
  )
}
