import { latestHead, type Revision } from '../changelog/changelog.ts'
import type { Collection } from '../collection/collection.ts'
import { validateCollectionName } from '../collection/collection-registry.ts'
import { validateLabel } from '../collection/labels.ts'
import type { IndexBound } from '../collection/read-options.ts'
import { resolveScope } from '../collection/scope.ts'
import { VarveError } from '../errors/varve-error.ts'
import { indexValueToJson } from '../model/index-value.ts'
import type { DatasetRecord } from './dataset-record.ts'

/**
 * What a dataset points at: a collection of the repository, followed at its
 * head or pinned at a revision, optionally limited to some series and an
 * index range. A plain string is a collection name (every series, at its head).
 *
 * @example
 * repo.datasets.publish('sales-live', 'sales')
 * repo.datasets.publish('sales-q3', { collection: 'sales', revision: 'head', start: '2026-07-01', stop: '2026-10-01' })
 * repo.datasets.publish('brussels', { collection: 'temperature', series: ['Brussels'] })
 */
export interface DatasetTarget {
  /** The collection's name in this repository. */
  readonly collection: string
  /**
   * Pins the dataset: a revision id or a unique prefix of one (see
   * `collection.log()`), or `'head'` for the collection's latest revision at
   * publish time. The full id is stored. Default: none, the dataset follows
   * the collection's head.
   */
  readonly revision?: string
  /** The series in the dataset; each must exist (at the pinned revision, or now). Default: every series. */
  readonly series?: readonly string[]
  /** First value of the first index column in the dataset (inclusive), as reads take it. Default: unbounded. */
  readonly start?: IndexBound
  /** First value past the dataset (exclusive). Default: unbounded. */
  readonly stop?: IndexBound
}

const TARGET_KEYS = new Set(['collection', 'revision', 'series', 'start', 'stop'])
const EXAMPLE = `{ collection: 'sales', revision: 'head', series: ['eu'], start: '2026-07-01', stop: '2026-10-01' }`

/** Checks the target's shape (`InvalidArgument`), before anything is read. */
export function parseTarget(target: unknown): DatasetTarget {
  if (typeof target === 'string') return { collection: validateCollectionName(target) }
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    throw new VarveError(
      'InvalidArgument',
      `A dataset target is a collection name or an object such as ${EXAMPLE}; got ${describe(target)}.`,
    )
  }
  for (const key of Object.keys(target)) {
    if (!TARGET_KEYS.has(key)) {
      throw new VarveError(
        'InvalidArgument',
        `Unknown dataset target field "${key}"; the fields are ${[...TARGET_KEYS].join(', ')} (e.g. ${EXAMPLE}).`,
      )
    }
  }
  const parsed = target as DatasetTarget
  if (parsed.collection === undefined) {
    throw new VarveError('InvalidArgument', `A dataset target needs a collection name, e.g. ${EXAMPLE}.`)
  }
  validateCollectionName(parsed.collection)
  if (parsed.revision !== undefined && (typeof parsed.revision !== 'string' || parsed.revision.length < 4)) {
    throw new VarveError(
      'InvalidArgument',
      `A dataset's revision is a revision id, a unique prefix of at least 4 characters, or 'head'; got ${describe(parsed.revision)}. collection.log() lists the revisions.`,
    )
  }
  if (parsed.series !== undefined) {
    if (!Array.isArray(parsed.series) || parsed.series.length === 0) {
      throw new VarveError(
        'InvalidArgument',
        `A dataset's series must be a non-empty array of labels, such as ['eu']; leave it out for every series.`,
      )
    }
    for (const label of parsed.series) validateLabel(label)
    if (new Set(parsed.series).size !== parsed.series.length) {
      throw new VarveError('InvalidArgument', `A dataset's series list names a label twice; list each once.`)
    }
  }
  return parsed
}

/**
 * The record a target publishes as, checked against the collection: the
 * revision resolved to a full id, the series present, the bounds coerced and
 * ordered. `NotFound` or `InvalidArgument` otherwise.
 */
export async function resolveTarget(
  name: string,
  target: DatasetTarget,
  collection: Collection,
  collectionId: string,
  now: Date,
): Promise<DatasetRecord> {
  const scope = resolveScope(collection.schema, {
    ...(target.start === undefined ? {} : { start: target.start }),
    ...(target.stop === undefined ? {} : { stop: target.stop }),
  })
  const revision =
    target.revision === undefined
      ? undefined
      : findRevision(collection, await collection.log(), target.revision)
  if (target.series !== undefined) {
    const present = new Set(await (revision === undefined ? collection : collection.at(revision.id)).labels())
    const missing = target.series.filter((label) => !present.has(label))
    if (missing.length > 0) {
      const where = revision === undefined ? '' : ` at revision ${revision.id}`
      throw new VarveError(
        'NotFound',
        `Collection "${collection.name}" has no series ${missing.map((l) => JSON.stringify(l)).join(', ')}${where}; its series are ${[...present].join(', ') || 'none yet'}.`,
        { details: { missing } },
      )
    }
  }
  return {
    name,
    collection: collection.name,
    collectionId,
    schema: collection.schema,
    ...(revision === undefined ? {} : { revision: revision.id }),
    ...(target.series === undefined ? {} : { series: [...target.series] }),
    ...(scope.start === undefined ? {} : { start: indexValueToJson(scope.start) }),
    ...(scope.stop === undefined ? {} : { stop: indexValueToJson(scope.stop) }),
    published: now.toISOString(),
  }
}

function findRevision(collection: Collection, revisions: readonly Revision[], wanted: string): Revision {
  if (wanted === 'head') {
    const head = latestHead(revisions)
    if (head === undefined) {
      throw new VarveError(
        'NotFound',
        `Collection "${collection.name}" has no revision yet to pin; write to it first, or leave revision out to follow its head.`,
      )
    }
    return head
  }
  const matches = revisions.filter((r) => r.id.startsWith(wanted))
  if (matches.length === 1) return matches[0]!
  if (matches.length === 0) {
    throw new VarveError(
      'NotFound',
      `Collection "${collection.name}" has no revision ${JSON.stringify(wanted)}; see collection.log() for its revisions.`,
      { details: { revision: wanted } },
    )
  }
  throw new VarveError(
    'InvalidArgument',
    `Revision prefix ${JSON.stringify(wanted)} is ambiguous in collection "${collection.name}" (${matches.length} matches); give more of the id.`,
  )
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined' : typeof value === 'string' ? JSON.stringify(value) : typeof value
}
