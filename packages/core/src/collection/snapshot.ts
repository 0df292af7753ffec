import { ancestry, latestHead, type Revision } from '../changelog/changelog.ts'
import { isRevisionId } from '../changelog/revision-key.ts'
import type { TreeRoot } from '../changelog/series-tree.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { CollectionContext } from './collection-context.ts'

/** The state a read sees: a revision (none before the first write) and its series tree. */
export interface Snapshot {
  readonly revision: Revision | undefined
  readonly root: TreeRoot
}

/** Which state to read: the latest, or the past as of a revision id or an instant. */
export type Version = 'latest' | string | Date

/**
 * Resolves a version to a snapshot. The latest is the newest head (by clock)
 * while heads diverge; an instant picks, among the revisions behind the latest
 * head, the newest made at or before it.
 */
export async function resolveSnapshot(ctx: CollectionContext, version: Version): Promise<Snapshot> {
  let revision: Revision | undefined
  if (version === 'latest') {
    revision = latestHead(await ctx.changelog.listLoose())
    if (revision === undefined) return { revision: undefined, root: null }
    return { revision, root: (await ctx.changelog.read(revision)).root }
  }
  const revisions = await ctx.changelog.list()
  if (version instanceof Date) {
    if (Number.isNaN(version.getTime()))
      throw new VarveError(
        'InvalidArgument',
        'Invalid Date given as a version: pass a valid Date or a revision id.',
      )
    const head = latestHead(revisions)
    const past =
      head === undefined ? [] : ancestry(revisions, head).filter((r) => r.time.getTime() <= version.getTime())
    revision = past.at(-1)
  } else {
    revision = findRevision(ctx, revisions, version)
  }
  if (revision === undefined) return { revision: undefined, root: null }
  const body = await ctx.changelog.read(revision)
  return { revision, root: body.root }
}

/** Per collection: the latest snapshot a read found, and whether the next read should read it ahead. */
const lastLatest = new WeakMap<CollectionContext, { snapshot: Snapshot; ahead: boolean }>()

/** Records the revision this process just committed as the latest, for the next read to read ahead. */
export function noteCommitted(ctx: CollectionContext, revision: Revision, root: TreeRoot): void {
  lastLatest.set(ctx, { snapshot: { revision, root }, ahead: true })
}

/**
 * Called by a read before it decodes what it fetched: rejects when the
 * snapshot it reads has turned out not to be the latest.
 */
export type BeforeDecode = () => Promise<void>

const superseded = new Error('read ahead of a head that moved')

/**
 * `read` of the latest snapshot. Finding the latest head takes a listing of
 * the changelog; while it runs, the snapshot the previous read found is read
 * ahead (objects never change), up to where decoding would start, which waits
 * for the listing. When the head has not moved (the usual case) that read is
 * the answer and the listing's wait hid behind its fetches. When it moved, the
 * early read stops before decoding, the new head is read, and the next read
 * does not read ahead (a collection written to all the time wastes at most
 * every other read's fetches, never a decode).
 */
export async function readLatest<T>(
  ctx: CollectionContext,
  read: (snapshot: Snapshot, beforeDecode?: BeforeDecode) => Promise<T>,
): Promise<T> {
  const previous = lastLatest.get(ctx)
  const latest = resolveSnapshot(ctx, 'latest')
  if (previous === undefined || !previous.ahead) {
    const snapshot = await latest
    lastLatest.set(ctx, { snapshot, ahead: true })
    return read(snapshot)
  }
  const same = (snapshot: Snapshot) => snapshot.revision?.id === previous.snapshot.revision?.id
  // A failed listing is thrown below; here it only stops the early read.
  const confirmed = latest.then(same, () => false)
  const beforeDecode = async () => {
    if (!(await confirmed)) throw superseded
  }
  // Settled either way at once: an early read that failed must not surface unless it is the answer.
  const early = read(previous.snapshot, beforeDecode).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
  const snapshot = await latest
  const moved = !same(snapshot)
  lastLatest.set(ctx, { snapshot, ahead: !moved })
  if (moved) return read(snapshot)
  const result = await early
  if ('error' in result) throw result.error
  return result.value
}

function findRevision(ctx: CollectionContext, revisions: readonly Revision[], id: string): Revision {
  if (typeof id !== 'string' || id.length < 4) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid version ${JSON.stringify(id)}: pass 'latest', a Date, or a revision id (or a unique prefix of one).`,
    )
  }
  const exact = isRevisionId(id) ? revisions.find((r) => r.id === id) : undefined
  const matches = exact ? [exact] : revisions.filter((r) => r.id.startsWith(id))
  if (matches.length === 1) return matches[0]!
  if (matches.length === 0) {
    throw new VarveError(
      'NotFound',
      `Collection "${ctx.name}" has no revision ${JSON.stringify(id)}; see collection.log() for its revisions.`,
      {
        details: { revision: id },
      },
    )
  }
  throw new VarveError(
    'InvalidArgument',
    `Revision prefix ${JSON.stringify(id)} is ambiguous in collection "${ctx.name}" (${matches.length} matches); give more of the id.`,
  )
}
