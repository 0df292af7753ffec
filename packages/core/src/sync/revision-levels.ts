import type { Revision } from '../changelog/changelog.ts'
import { encodePack } from '../changelog/packs.ts'
import { forEachLimited } from '../util/for-each-limited.ts'

/** From this many missing revisions with children among the missing, a copy sends those in packs. */
export const PACK_FROM = 16
/** Revisions in one pack a copy writes, at most. */
const PACK_MAX = 1024

/** One object a copy creates for revisions: a loose revision, or a pack of many. */
export interface RevisionObject {
  readonly key: string
  /** The revisions it holds: one for a loose revision. */
  readonly revisions: number
  /** The pack's bytes; for a loose revision, the reading of its bytes, done as it is written. */
  readonly bytes: Uint8Array | (() => Promise<Uint8Array>)
  /** For a pack, the bytes of the revisions it holds. */
  readonly size?: number
}

/**
 * The missing revisions parents first, generation by generation: a revision
 * comes once every parent it has among them came before. Undefined when
 * they hold a cycle.
 */
export function generationsOf(missing: readonly Revision[]): Revision[][] | undefined {
  let remaining = missing
  const placed = new Set<string>()
  const waiting = new Set(missing.map((r) => r.id))
  const generations: Revision[][] = []
  while (remaining.length > 0) {
    const ready = remaining.filter((r) => r.parents.every((p) => !waiting.has(p) || placed.has(p)))
    if (ready.length === 0) return undefined
    generations.push(ready)
    for (const r of ready) placed.add(r.id)
    remaining = remaining.filter((r) => !placed.has(r.id))
  }
  return generations
}

/**
 * The levels in which a copy lands the missing revisions, each level only
 * once every revision of the ones before is durable, so the destination never
 * holds a revision without its history.
 *
 * Generation by generation, one level each (a chain of N revisions is N
 * levels, N flushes one after another); or, from {@link PACK_FROM} missing
 * revisions that have children among the missing, those go in packs (as a
 * squash would leave them, parents in earlier packs, each pack one atomic
 * object), read now, then the ones that will be heads land loose in one last
 * level: every head stays a loose revision. `read` gives a revision's
 * verified bytes.
 */
export async function revisionLevels(
  generations: readonly (readonly Revision[])[],
  heads: ReadonlySet<string>,
  collectionId: string,
  read: (revision: Revision) => Promise<Uint8Array>,
  concurrency: number,
): Promise<RevisionObject[][]> {
  const loose = (revision: Revision): RevisionObject => ({
    key: `revisions/${collectionId}/${nameOf(revision)}`,
    revisions: 1,
    bytes: () => read(revision),
  })
  const inner = generations.flat().filter((r) => !heads.has(r.id))
  if (inner.length < PACK_FROM) return generations.map((generation) => generation.map(loose))
  const bytes: Uint8Array[] = []
  await forEachLimited(inner, concurrency, async (revision, i) => {
    bytes[i] = await read(revision)
  })
  const levels: RevisionObject[][] = []
  for (let start = 0; start < inner.length; start += PACK_MAX) {
    const packed = inner
      .slice(start, start + PACK_MAX)
      .map((revision, i) => ({ name: nameOf(revision), bytes: bytes[start + i]! }))
    const pack = encodePack(packed)
    levels.push([
      {
        key: `packs/${collectionId}/${pack.suffix}`,
        revisions: packed.length,
        bytes: pack.bytes,
        size: packed.reduce((n, r) => n + r.bytes.length, 0),
      },
    ])
  }
  levels.push(
    generations
      .flat()
      .filter((r) => heads.has(r.id))
      .map(loose),
  )
  return levels
}

export function nameOf(revision: Revision): string {
  return revision.key.slice(revision.key.lastIndexOf('/') + 1)
}
