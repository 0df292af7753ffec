import { Changelog, type Revision } from '../changelog/changelog.ts'
import { listCollectionNames, readDescriptor } from '../collection/collection-registry.ts'
import { readDatasetRecords } from '../datasets/dataset-record.ts'
import type { Schema } from '../model/schema.ts'
import type { Store } from '../store/store.ts'

/** Where changelogs live: loose revisions, and packed history. */
export const CHANGELOG_PREFIXES = ['revisions/', 'packs/'] as const

/**
 * A revision gc keeps with everything its tree reaches; `schema` is the one
 * its series indexes are read with, `changelog` the one that reads it (from
 * its own object or from a pack).
 */
export interface GcRoot {
  readonly collectionName: string
  readonly collectionId: string
  readonly schema: Schema
  readonly changelog: Changelog
  readonly revision: Revision
  /** A partial replica's series: the series indexes of other labels were never copied, so are not read. */
  readonly labels?: ReadonlySet<string>
}

export interface GcRoots {
  /** The revisions whose trees are kept. */
  readonly roots: readonly GcRoot[]
  /** Collections whose changelog stays whole: every key under `revisions/<id>/` and `packs/<id>/`. */
  readonly collectionIds: ReadonlySet<string>
}

/**
 * What gc keeps, gathered in one place: every revision, loose or packed (not
 * only heads, so history is never lost), of every collection that has a
 * descriptor or that a published dataset points at (`datasets/`).
 *
 * Call it after listing `revisions/` and `packs/`: a descriptor is written
 * before any revision of its collection, so reading descriptors afterwards
 * finds the descriptor of every changelog key listed, and no revision of a
 * collection being created is taken for an orphan.
 */
export async function gatherRoots(store: Store): Promise<GcRoots> {
  const names = await listCollectionNames(store)
  // A name dropped since the listing has no descriptor: its changelog is an orphan now.
  const descriptors = (await Promise.all(names.map((name) => readDescriptor(store, name)))).filter(
    (d) => d !== undefined,
  )
  // A dataset keeps its collection's history even once the name is gone (a drop racing a publish).
  const known = new Set(descriptors.map((d) => d.id))
  for (const { collection, collectionId, schema, published } of await readDatasetRecords(store)) {
    if (known.has(collectionId)) continue
    known.add(collectionId)
    descriptors.push({ name: collection, id: collectionId, schema, created: published })
  }
  const perCollection = await Promise.all(
    descriptors.map(async ({ name, id, schema, replica }) => {
      const changelog = new Changelog(store, id)
      const revisions = await changelog.list()
      const labels = replica?.series === undefined ? {} : { labels: new Set(replica.series) }
      return revisions.map(
        (revision): GcRoot => ({
          collectionName: name,
          collectionId: id,
          schema,
          changelog,
          revision,
          ...labels,
        }),
      )
    }),
  )
  return { roots: perCollection.flat(), collectionIds: known }
}

/** The collection of a changelog key (`revisions/<id>/<name>`, `packs/<id>/<name>`), or undefined for another key. */
export function changelogKeyCollection(key: string): string | undefined {
  const parts = key.split('/')
  if (parts.length !== 3 || !CHANGELOG_PREFIXES.some((prefix) => prefix === `${parts[0]}/`)) return undefined
  return parts[1]
}
