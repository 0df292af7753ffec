import type { Collection, Frame, Repo } from '@varve/core'
import type { CollectionContents } from '../sync/repo-contents.ts'

const READ_AHEAD = 8

/**
 * Everything `repo` holds: for each collection its log, parents and heads,
 * and every series read at every revision and at the latest state (the shape
 * `copyProblems` of ../sync/repo-contents.ts compares).
 */
export async function contentsOf(repo: Repo): Promise<Map<string, CollectionContents>> {
  const out = new Map<string, CollectionContents>()
  for (const name of await repo.collections()) {
    const collection = (await repo.collection(name))!
    const log = await collection.log()
    const at = new Map<string, Map<string, Frame>>()
    // A few revisions at a time: the reads wait on the network far more than on the CPU.
    for (let i = 0; i < log.length; i += READ_AHEAD) {
      const batch = log.slice(i, i + READ_AHEAD)
      const read = await Promise.all(batch.map((revision) => framesAt(collection.at(revision.id))))
      for (const [k, revision] of batch.entries()) at.set(revision.id, read[k]!)
    }
    const latest = await framesAt(collection)
    out.set(name, {
      log: log.map((r) => r.id),
      parents: new Map(log.map((r) => [r.id, r.parents])),
      heads: (await collection.heads()).map((r) => r.id),
      at,
      latest,
    })
  }
  return out
}

/** Every series of `collection` (or of a view of its past), label → rows. */
async function framesAt(collection: Collection): Promise<Map<string, Frame>> {
  const labels = await collection.labels()
  const frames = await Promise.all(labels.map((label) => collection.series(label).read()))
  return new Map(labels.map((label, i) => [label, frames[i]!]))
}
