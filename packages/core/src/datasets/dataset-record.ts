import { isRevisionId } from '../changelog/revision-key.ts'
import { encodeJson, parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import { type IndexValueJson, indexValueFromJson } from '../model/index-value.ts'
import { Schema } from '../model/schema.ts'
import type { Store } from '../store/store.ts'
import { forEachLimited } from '../util/for-each-limited.ts'

/** `datasets/<name>`: one object per published dataset. */
export const DATASETS_PREFIX = 'datasets/'
const READ_CONCURRENCY = 8
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/

/**
 * What a dataset points at, as stored. It holds the collection's id and
 * schema, so gc keeps (and `get` reads) its data even if the collection's
 * name is dropped meanwhile.
 */
export interface DatasetRecord {
  readonly name: string
  readonly collection: string
  readonly collectionId: string
  readonly schema: Schema
  /** The pinned revision (a full id); the collection's head when absent. */
  readonly revision?: string
  /** The series in the dataset; every series when absent. */
  readonly series?: readonly string[]
  /** First index value in the dataset (inclusive), first index column. */
  readonly start?: IndexValueJson
  /** First index value past the dataset (exclusive). */
  readonly stop?: IndexValueJson
  /** When it was published (ISO 8601). */
  readonly published: string
}

/** Dataset names: 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit. */
export function validateDatasetName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid dataset name ${JSON.stringify(name)}: use 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit (e.g. "sales-2026.q3").`,
    )
  }
  return name
}

export function encodeDatasetRecord(record: DatasetRecord): Uint8Array {
  return encodeJson({
    kind: 'dataset',
    name: record.name,
    collection: record.collection,
    collectionId: record.collectionId,
    schema: record.schema.toJSON(),
    ...(record.revision === undefined ? {} : { revision: record.revision }),
    ...(record.series === undefined ? {} : { series: record.series }),
    ...(record.start === undefined ? {} : { start: record.start }),
    ...(record.stop === undefined ? {} : { stop: record.stop }),
    published: record.published,
  })
}

/** The dataset named `name`, or undefined; `Integrity` for a malformed object. One GET. */
export async function readDatasetRecord(store: Store, name: string): Promise<DatasetRecord | undefined> {
  const key = DATASETS_PREFIX + name
  const bytes = await store.get(key)
  return bytes === undefined ? undefined : decodeDatasetRecord(bytes, key, name)
}

/** Every dataset name, sorted (the store lists in key order). One listing. */
export async function listDatasetNames(store: Store): Promise<string[]> {
  const names: string[] = []
  for await (const key of store.list(DATASETS_PREFIX)) names.push(key.slice(DATASETS_PREFIX.length))
  return names.sort()
}

function decodeDatasetRecord(bytes: Uint8Array, key: string, name: string): DatasetRecord {
  const raw = parseJson(bytes, key) as Record<string, unknown> | null
  const malformed = (cause?: unknown) =>
    new VarveError('Integrity', `Dataset object ${key} is malformed.`, { cause, details: { key } })
  if (
    raw?.kind !== 'dataset' ||
    raw.name !== name ||
    typeof raw.collection !== 'string' ||
    typeof raw.collectionId !== 'string' ||
    typeof raw.published !== 'string' ||
    (raw.revision !== undefined && !(typeof raw.revision === 'string' && isRevisionId(raw.revision))) ||
    (raw.series !== undefined &&
      !(Array.isArray(raw.series) && raw.series.every((label) => typeof label === 'string')))
  ) {
    throw malformed()
  }
  let schema: Schema
  try {
    schema = Schema.fromJSON(raw.schema)
  } catch (error) {
    throw malformed(error)
  }
  const type = schema.indexColumns[0]!.type
  for (const bound of [raw.start, raw.stop]) if (bound !== undefined) indexValueFromJson(type, bound)
  return {
    name,
    collection: raw.collection,
    collectionId: raw.collectionId,
    schema,
    ...(raw.revision === undefined ? {} : { revision: raw.revision as string }),
    ...(raw.series === undefined ? {} : { series: raw.series as string[] }),
    ...(raw.start === undefined ? {} : { start: raw.start as IndexValueJson }),
    ...(raw.stop === undefined ? {} : { stop: raw.stop as IndexValueJson }),
    published: raw.published,
  }
}

/** Every dataset (one listing, one GET each, 8 at once); `Integrity` for a malformed one. */
export async function readDatasetRecords(store: Store): Promise<DatasetRecord[]> {
  const names = await listDatasetNames(store)
  const records = new Array<DatasetRecord | undefined>(names.length)
  await forEachLimited(names, READ_CONCURRENCY, async (name, i) => {
    records[i] = await readDatasetRecord(store, name)
  })
  // A dataset unpublished since the listing has no object left.
  return records.filter((record) => record !== undefined)
}
