import type { Collection } from '../collection/collection.ts'
import { type CollectionDescriptor, readDescriptor } from '../collection/collection-registry.ts'
import { VarveError } from '../errors/varve-error.ts'
import { indexValueFromJson } from '../model/index-value.ts'
import type { Store } from '../store/store.ts'
import {
  DATASETS_PREFIX,
  type DatasetRecord,
  encodeDatasetRecord,
  listDatasetNames,
  readDatasetRecord,
  readDatasetRecords,
  validateDatasetName,
} from './dataset-record.ts'
import { type DatasetTarget, parseTarget, resolveTarget } from './dataset-target.ts'

export interface PublishDatasetOptions {
  /** Replace a dataset of the same name instead of failing with `AlreadyExists`. Default false. */
  readonly overwrite?: boolean
}

/** A published dataset as stored: what `publish` resolved the target to. */
export interface DatasetInfo {
  readonly name: string
  readonly collection: string
  /** The pinned revision's full id; absent when the dataset follows the collection's head. */
  readonly revision?: string
  /** The series in the dataset; absent for every series. */
  readonly series?: readonly string[]
  /** First index value in the dataset (inclusive): a bigint for timestamps (in the column's unit) and 64-bit ints. */
  readonly start?: bigint | number | string
  /** First index value past the dataset (exclusive). */
  readonly stop?: bigint | number | string
  readonly published: Date
}

/**
 * Named, read-only views of the repository's collections, stored in the
 * repository itself under `datasets/<name>`: every client of the store sees
 * them, across processes, machines and restarts. Get it as `repo.datasets`.
 *
 * Publishing is create-only: of clients racing to publish one name exactly one
 * wins and the others get `AlreadyExists`, on every store whose
 * `capabilities.atomicCreate` is true (memory, folders, S3, GCS, Azure). On a
 * store without atomic create a publish still fails when the name is already
 * there, but two racing publishers may both succeed and the later write stays.
 *
 * While a dataset points at a collection, `repo.dropCollection` refuses to
 * drop it and gc keeps the collection's history: a published dataset never
 * loses its data.
 */
export class Datasets {
  readonly #store: Store
  readonly #open: (descriptor: CollectionDescriptor) => Collection

  /** @internal Use `repo.datasets`. */
  constructor(store: Store, open: (descriptor: CollectionDescriptor) => Collection) {
    this.#store = store
    this.#open = open
  }

  /**
   * Publishes `target` (a collection name, or a {@link DatasetTarget}) as the
   * dataset `name`. Throws `AlreadyExists` (naming what the dataset holds) if
   * the name is taken, unless `overwrite`; `InvalidArgument` for a bad name,
   * target or option; `NotFound` for an absent collection, revision or
   * series. Nothing is written unless every check passes. If the collection
   * is dropped while it publishes, `NotFound`, and the publish is undone: the
   * name is removed, or with `overwrite` the dataset it replaced is written
   * back (a client reading the name meanwhile may see the new one; an
   * overwrite of the same name by another client in that instant is lost, the
   * last write staying as with any two overwrites). Costs the collection's
   * descriptor read (twice: before and after, so that a concurrent drop of the
   * collection makes the publish fail), with `overwrite` a read of the dataset
   * it replaces, a changelog listing for a pinned revision, a tree read for a
   * series selection, and one create (or put).
   */
  async publish(
    name: string,
    target: string | DatasetTarget,
    options: PublishDatasetOptions = {},
  ): Promise<DatasetInfo> {
    validateDatasetName(name)
    const overwrite = parseOptions(options)
    const parsed = parseTarget(target)
    const descriptor = await readDescriptor(this.#store, parsed.collection)
    if (descriptor === undefined) {
      throw new VarveError(
        'NotFound',
        `No collection "${parsed.collection}" to publish as dataset "${name}"; repo.collections() lists them.`,
      )
    }
    const record = await resolveTarget(name, parsed, this.#open(descriptor), descriptor.id, new Date())
    const bytes = encodeDatasetRecord(record)
    const key = DATASETS_PREFIX + name
    // Read before it is replaced, so that a publish undone below puts it back.
    const previous = overwrite ? await this.#store.get(key) : undefined
    try {
      await (overwrite ? this.#store.put(key, bytes) : this.#store.create(key, bytes))
    } catch (error) {
      if (!VarveError.is(error, 'AlreadyExists') && !VarveError.is(error, 'PreconditionFailed')) throw error
      const existing = await readDatasetRecord(this.#store, name)
      const holds = existing === undefined ? '' : ` (${describeRecord(existing)})`
      throw new VarveError(
        'AlreadyExists',
        `Dataset "${name}" already exists${holds}; pick another name, or pass { overwrite: true } to replace it.`,
        { cause: error, details: { name } },
      )
    }
    // A drop that removed the name before seeing this dataset goes on to delete the history: undo the publish.
    if ((await readDescriptor(this.#store, parsed.collection))?.id !== descriptor.id) {
      await (previous === undefined ? this.#store.delete([key]) : this.#store.put(key, previous))
      throw new VarveError(
        'NotFound',
        `Collection "${parsed.collection}" was dropped while dataset "${name}" was being published; nothing is published${previous === undefined ? '' : `, and the dataset "${name}" it was to replace is back as it was`}.`,
        { details: { name, collection: parsed.collection } },
      )
    }
    return toInfo(record)
  }

  /** The names of every dataset, sorted. One listing. */
  list(): Promise<string[]> {
    return listDatasetNames(this.#store)
  }

  /**
   * The dataset `name` as a read-only `Collection` (undefined when there is
   * none): the collection at its head, or at the pinned revision, limited to
   * the dataset's series and index range. Reads outside them throw
   * `OutOfScope`; writes throw `ReadOnly`. Two GETs (the dataset, the
   * collection's descriptor); the view reads like any collection.
   */
  async get(name: string): Promise<Collection | undefined> {
    validateDatasetName(name)
    const record = await readDatasetRecord(this.#store, name)
    if (record === undefined) return undefined
    // The descriptor says whether the collection is a (partial) replica; once dropped, the record stands in.
    const descriptor = await readDescriptor(this.#store, record.collection)
    const collection = this.#open(
      descriptor?.id === record.collectionId
        ? descriptor
        : {
            name: record.collection,
            id: record.collectionId,
            schema: record.schema,
            created: record.published,
          },
    )
    const info = toInfo(record)
    return (record.revision === undefined ? collection : collection.at(record.revision)).withScope({
      ...(info.series === undefined ? {} : { labels: info.series }),
      ...(info.start === undefined ? {} : { start: info.start }),
      ...(info.stop === undefined ? {} : { stop: info.stop }),
      owner: `dataset "${name}"`,
      hint: `Read collection "${record.collection}" itself (repo.collection("${record.collection}")) for data outside the dataset.`,
    })
  }

  /** What the dataset `name` points at, or undefined when there is none. One GET. */
  async describe(name: string): Promise<DatasetInfo | undefined> {
    validateDatasetName(name)
    const record = await readDatasetRecord(this.#store, name)
    return record === undefined ? undefined : toInfo(record)
  }

  /**
   * Removes the dataset (its collection stays; gc no longer keeps data for
   * it). `NotFound` when there is no such dataset.
   */
  async unpublish(name: string): Promise<void> {
    validateDatasetName(name)
    const key = DATASETS_PREFIX + name
    if ((await this.#store.get(key)) === undefined) {
      throw new VarveError('NotFound', `No dataset "${name}" to unpublish; repo.datasets.list() lists them.`)
    }
    await this.#store.delete([key])
  }
}

function parseOptions(options: PublishDatasetOptions): boolean {
  if (typeof options !== 'object' || options === null) {
    throw new VarveError('InvalidArgument', 'Publish options must be an object such as { overwrite: true }.')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'overwrite') {
      throw new VarveError('InvalidArgument', `Unknown publish option "${key}"; the option is overwrite.`)
    }
  }
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') {
    throw new VarveError(
      'InvalidArgument',
      `overwrite must be true or false, got ${JSON.stringify(options.overwrite)}.`,
    )
  }
  return options.overwrite ?? false
}

function toInfo(record: DatasetRecord): DatasetInfo {
  const type = record.schema.indexColumns[0]!.type
  return {
    name: record.name,
    collection: record.collection,
    ...(record.revision === undefined ? {} : { revision: record.revision }),
    ...(record.series === undefined ? {} : { series: record.series }),
    ...(record.start === undefined ? {} : { start: indexValueFromJson(type, record.start) }),
    ...(record.stop === undefined ? {} : { stop: indexValueFromJson(type, record.stop) }),
    published: new Date(record.published),
  }
}

/** "collection "sales" at revision r, series a, b" for messages. */
export function describeRecord(record: DatasetRecord): string {
  const at = record.revision === undefined ? 'at its head' : `pinned at revision ${record.revision}`
  const series = record.series === undefined ? '' : `, series ${record.series.join(', ')}`
  return `collection "${record.collection}" ${at}${series}`
}

/** Whether any dataset points at the collection with this id. */
export async function isPublished(store: Store, collectionId: string): Promise<boolean> {
  return (await datasetsOf(store, collectionId)).length > 0
}

async function datasetsOf(store: Store, collectionId: string): Promise<string[]> {
  return (await readDatasetRecords(store))
    .filter((record) => record.collectionId === collectionId)
    .map((record) => record.name)
}

/**
 * Throws `PreconditionFailed`, naming the datasets, when any dataset points at
 * the collection: dropping it would take their data. One listing and one GET
 * per dataset.
 */
export async function refuseDropOfPublished(store: Store, descriptor: CollectionDescriptor): Promise<void> {
  const names = await datasetsOf(store, descriptor.id)
  if (names.length === 0) return
  throw new VarveError(
    'PreconditionFailed',
    `Collection "${descriptor.name}" is published as dataset${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}; unpublish ${names.length > 1 ? 'them' : 'it'} first (repo.datasets.unpublish("${names[0]}")), then drop the collection.`,
    { details: { datasets: names } },
  )
}
