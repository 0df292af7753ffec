import { hashFromObjectKey, OBJECTS_PREFIX } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'
import { CHANGELOG_PREFIXES, changelogKeyCollection, gatherRoots } from './gather-roots.ts'
import { isoTime, readGcState, writeGcRecord } from './gc-state.ts'
import { markReachable } from './mark-reachable.ts'

export interface GcOptions {
  /** Report what a run would delete and record, writing and deleting nothing. Default false. */
  readonly dryRun?: boolean
  /**
   * How long a key must have been seen unreferenced before it is deleted, in
   * milliseconds. Default one hour. It must exceed the longest write (from its
   * first chunk to its revision): a slower write could lose data to gc.
   */
  readonly gracePeriodMs?: number
  /** The clock, in milliseconds since 1970. Default `Date.now`; tests use it to let the grace period pass. */
  readonly now?: () => number
}

export interface GcResult {
  readonly dryRun: boolean
  /** Keys deleted by this run, sorted (with `dryRun`: the keys a real run would delete now). */
  readonly deleted: readonly string[]
  /** Unreferenced keys recorded for a later run: newly found, or still within the grace period. */
  readonly candidates: number
  /** Content-addressed objects reachable from the kept revisions (chunks counted without being read). */
  readonly reachableObjects: number
  /** Keys under `objects/` that this run listed. */
  readonly scannedObjects: number
  /** Revisions, loose and packed, of the collections that have a descriptor: each read once. */
  readonly keptRevisions: number
}

export const DEFAULT_GRACE_PERIOD_MS = 60 * 60 * 1000
// S3's DeleteObjects takes at most 1000 keys: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
const DELETE_BATCH = 1000
const OPTION_KEYS = new Set(['dryRun', 'gracePeriodMs', 'now'])

/**
 * Deletes what no kept revision reaches, in two phases so that concurrent
 * writers and readers are safe: a run records the unreferenced keys it finds
 * as candidates (under `gc/`), and deletes a key only when a record says it
 * was unreferenced at least `gracePeriodMs` ago and this run's own mark still
 * finds it unreferenced. Garbage is every object under `objects/` that no
 * revision (loose or packed) of a collection with a descriptor (or a
 * published dataset) reaches, and the changelog of a collection id that
 * matches no descriptor and no dataset: revisions under
 * `revisions/<id>/`, packs under `packs/<id>/`. Nothing else is touched. See
 * docs/format.md, "Garbage collection".
 *
 * Assumes no write takes longer than the grace period from its first chunk to
 * its revision. A garbage object written again with the same bytes (a crashed
 * write retried much later) can be deleted between that write storing it and
 * committing its revision: the store gives gc no modification times to see it.
 *
 * Costs one listing each of `gc/`, `objects/`, `revisions/`, `packs/`,
 * `collections/` and `datasets/`, one read of each dataset, the changelog
 * listings of each collection (short: history is packed), one read of every kept revision, pack and reachable metadata object,
 * and deletes in batches of at most 1000 keys. Throws `InvalidArgument` for bad options;
 * a reachable object that is missing or corrupt stops the run (`NotFound`,
 * `Integrity`) before anything is deleted.
 */
export async function collectGarbage(store: Store, options: GcOptions = {}): Promise<GcResult> {
  const { dryRun, gracePeriodMs, now } = validateOptions(options)
  const started = clock(now)
  const state = await readGcState(store)

  // Order matters. Objects are listed before the revisions that may reference
  // them; every object listed exists by `seenAt`, so a write that put it commits
  // its revision before `seenAt + gracePeriodMs`, and any later run that may
  // delete it lists that revision.
  const objects: string[] = []
  for await (const key of store.list(OBJECTS_PREFIX)) if (hashFromObjectKey(key)) objects.push(key)
  const seenAt = clock(now)
  // Loose revisions before packs, as readers list them: a revision a squash moves meanwhile is in one or the other.
  const changelogKeys: string[] = []
  for (const prefix of CHANGELOG_PREFIXES) {
    for await (const key of store.list(prefix)) if (changelogKeyCollection(key)) changelogKeys.push(key)
  }
  const { roots, collectionIds } = await gatherRoots(store)
  const reachable = await markReachable(store, roots)

  const garbage = [
    ...objects.filter((key) => !reachable.has(hashFromObjectKey(key)!)),
    ...changelogKeys.filter((key) => !collectionIds.has(changelogKeyCollection(key)!)),
  ]
  const deleted: string[] = []
  const pending = new Map<string, number>()
  for (const key of garbage) {
    const firstSeen = state.firstSeen.get(key)
    if (firstSeen !== undefined && started - firstSeen >= gracePeriodMs) deleted.push(key)
    else pending.set(key, firstSeen ?? seenAt)
  }
  deleted.sort()

  if (!dryRun) {
    // Orphan revisions and packs before objects: a crash midway never leaves a revision pointing at nothing.
    const order = (key: string) => (key.startsWith(OBJECTS_PREFIX) ? 1 : 0)
    const byKind = [...deleted].sort((a, b) => order(a) - order(b))
    for (let i = 0; i < byKind.length; i += DELETE_BATCH)
      await store.delete(byKind.slice(i, i + DELETE_BATCH))
    // The new record first: a crash between the two steps leaves both, and the earliest sighting counts.
    if (pending.size > 0) await writeGcRecord(store, clock(now), pending)
    for (let i = 0; i < state.records.length; i += DELETE_BATCH) {
      await store.delete(state.records.slice(i, i + DELETE_BATCH))
    }
  }
  return {
    dryRun,
    deleted,
    candidates: pending.size,
    reachableObjects: reachable.size,
    scannedObjects: objects.length,
    keptRevisions: roots.length,
  }
}

function validateOptions(options: GcOptions): Required<GcOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new VarveError('InvalidArgument', 'gc options must be an object such as { dryRun: true }.')
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new VarveError(
        'InvalidArgument',
        `Unknown gc option "${key}"; the options are ${[...OPTION_KEYS].join(', ')}.`,
      )
    }
  }
  const { dryRun = false, gracePeriodMs = DEFAULT_GRACE_PERIOD_MS, now = Date.now } = options
  if (typeof dryRun !== 'boolean') {
    throw new VarveError('InvalidArgument', `dryRun must be true or false, got ${JSON.stringify(dryRun)}.`)
  }
  if (!Number.isSafeInteger(gracePeriodMs) || gracePeriodMs < 0) {
    throw new VarveError(
      'InvalidArgument',
      `gracePeriodMs must be a whole number of milliseconds ≥ 0, got ${JSON.stringify(gracePeriodMs)}; it must exceed the longest write.`,
    )
  }
  if (typeof now !== 'function') {
    throw new VarveError('InvalidArgument', 'now must be a function returning milliseconds since 1970.')
  }
  return { dryRun, gracePeriodMs, now }
}

/** The time from `now`, checked (a record must be able to hold it). */
function clock(now: () => number): number {
  const ms = now()
  isoTime(ms)
  return ms
}
