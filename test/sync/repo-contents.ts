import { type Frame, Repo } from '@varve/core'

/** Everything one collection holds: its history, and every series at every revision. */
export interface CollectionContents {
  /** `log()` ids, oldest first. */
  readonly log: readonly string[]
  /** parent ids by revision id */
  readonly parents: ReadonlyMap<string, readonly string[]>
  readonly heads: readonly string[]
  /** revision id → label → rows */
  readonly at: ReadonlyMap<string, ReadonlyMap<string, Frame>>
  /** label → rows of the latest state (what a plain `series(label).read()` returns) */
  readonly latest: ReadonlyMap<string, Frame>
}

/**
 * Reads every series of every collection of the folder repository at every
 * revision of its log, and at the latest state. Throws whatever a read throws
 * (a `NotFound` or `Integrity` error means the repository is not readable).
 */
export async function readRepoContents(folder: string): Promise<Map<string, CollectionContents>> {
  const repo = await Repo.open(folder, { create: false })
  const out = new Map<string, CollectionContents>()
  for (const name of await repo.collections()) {
    const collection = (await repo.collection(name))!
    const log = await collection.log()
    const at = new Map<string, Map<string, Frame>>()
    for (const revision of log) {
      const view = collection.at(revision.id)
      const frames = new Map<string, Frame>()
      for (const label of await view.labels()) frames.set(label, await view.series(label).read())
      at.set(revision.id, frames)
    }
    const latest = new Map<string, Frame>()
    for (const label of await collection.labels()) latest.set(label, await collection.series(label).read())
    out.set(name, {
      log: log.map((r) => r.id),
      parents: new Map(log.map((r) => [r.id, r.parents])),
      heads: (await collection.heads()).map((r) => r.id),
      at,
      latest,
    })
  }
  await repo.close()
  return out
}

/**
 * The problems that make `copy` something other than a readable prefix of
 * `source`: a revision the source lacks, one whose parents are missing, a
 * series that differs from the source's at the same revision, a latest state
 * that is not the state of one of its heads. Empty when `copy` is fine; with
 * `complete`, the copy must also hold every collection and revision.
 */
export function copyProblems(
  source: ReadonlyMap<string, CollectionContents>,
  copy: ReadonlyMap<string, CollectionContents>,
  complete: boolean,
): string[] {
  const problems: string[] = []
  const names = (m: ReadonlyMap<string, unknown>) => [...m.keys()].join()
  if (complete && names(source) !== names(copy))
    problems.push(`collections ${names(copy)} ≠ ${names(source)}`)
  for (const [name, theirs] of copy) {
    const ours = source.get(name)
    if (ours === undefined) {
      problems.push(`collection ${name} is not in the source`)
      continue
    }
    if (complete && theirs.log.join() !== ours.log.join()) problems.push(`${name}: log differs`)
    if (complete && theirs.heads.join() !== ours.heads.join()) problems.push(`${name}: heads differ`)
    for (const id of theirs.log) {
      const expected = ours.at.get(id)
      if (expected === undefined) {
        problems.push(`${name}: revision ${id} is not in the source`)
        continue
      }
      for (const parent of theirs.parents.get(id)!) {
        if (!theirs.parents.has(parent)) problems.push(`${name}: ${id} is there without its parent ${parent}`)
      }
      problems.push(...frameProblems(`${name} at ${id}`, expected, theirs.at.get(id)!))
    }
    const latestHead = theirs.heads.at(-1)
    const latestExpected = latestHead === undefined ? new Map<string, Frame>() : ours.at.get(latestHead)
    if (latestExpected) problems.push(...frameProblems(`${name} latest`, latestExpected, theirs.latest))
  }
  return problems
}

function frameProblems(
  where: string,
  expected: ReadonlyMap<string, Frame>,
  actual: ReadonlyMap<string, Frame>,
): string[] {
  if ([...expected.keys()].join() !== [...actual.keys()].join()) {
    return [`${where}: labels ${[...actual.keys()].join()} ≠ ${[...expected.keys()].join()}`]
  }
  return [...expected]
    .filter(([label, frame]) => !frame.equals(actual.get(label)!))
    .map(([label]) => `${where}: series ${label} differs`)
}
