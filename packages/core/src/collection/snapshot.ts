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
