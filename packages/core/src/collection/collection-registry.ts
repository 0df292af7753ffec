import { randomBytes } from 'node:crypto'
import { encodeJson, parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import { type IndexValueJson, indexValueFromJson } from '../model/index-value.ts'
import { Schema } from '../model/schema.ts'
import type { Store } from '../store/store.ts'
import { replicaReadOnly } from './replica-errors.ts'

/** What is fixed about a collection at creation. */
export interface CollectionDescriptor {
  readonly name: string
  readonly id: string
  readonly schema: Schema
  readonly created: string
  /** Set for a read-only replica: what it follows (see sharing/). */
  readonly replica?: ReplicaLink
}

/** A replica's link to its upstream, fixed at creation in its descriptor. No credentials: a URI only. */
export interface ReplicaLink {
  /** The upstream collection as `<store-uri>#<name>`. */
  readonly upstream: string
  /** The upstream collection's id: its changelog there is `revisions/<id>/`. */
  readonly upstreamId: string
  /** A partial replica's series; every series when absent. */
  readonly series?: readonly string[]
  /** A partial replica's first index value (first index column): segments ending before it are not copied. */
  readonly since?: IndexValueJson
}

const PREFIX = 'collections/'
/** `links/<name>`: the upstreams a collection was published to (sharing/upstreams.ts). */
export const LINKS_PREFIX = 'links/'
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid collection name ${JSON.stringify(name)}: use 1 to 128 letters, digits, '_' or '-', starting with a letter or digit (e.g. "temperature").`,
    )
  }
  return name
}

/**
 * Writes the descriptor create-only: of two processes creating one name, exactly
 * one wins. `from` copies id, creation time and replica link (a collection
 * arriving by sync); `replica` makes a new replica (with a new id).
 */
export async function createDescriptor(
  store: Store,
  name: string,
  schema: Schema,
  from?: CollectionDescriptor,
  replica?: ReplicaLink,
): Promise<CollectionDescriptor> {
  const link = replica ?? from?.replica
  const descriptor: CollectionDescriptor = {
    name,
    id: from?.id ?? randomBytes(8).toString('hex'),
    schema,
    created: from?.created ?? new Date().toISOString(),
    ...(link === undefined ? {} : { replica: link }),
  }
  const bytes = encodeJson({
    kind: 'collection',
    name,
    id: descriptor.id,
    schema: schema.toJSON(),
    created: descriptor.created,
    ...(link === undefined ? {} : { replica: linkToJson(link) }),
  })
  try {
    await store.create(PREFIX + name, bytes)
  } catch (error) {
    if (VarveError.is(error, 'AlreadyExists') || VarveError.is(error, 'PreconditionFailed')) {
      throw new VarveError(
        'AlreadyExists',
        `Collection "${name}" already exists; open it with repo.collection("${name}") or pick another name.`,
        {
          cause: error,
        },
      )
    }
    throw error
  }
  return descriptor
}

export async function readDescriptor(store: Store, name: string): Promise<CollectionDescriptor | undefined> {
  const key = PREFIX + name
  const bytes = await store.get(key)
  if (bytes === undefined) return undefined
  const raw = parseJson(bytes, key) as {
    kind?: unknown
    name?: unknown
    id?: unknown
    schema?: unknown
    created?: unknown
    replica?: unknown
  }
  if (
    raw?.kind !== 'collection' ||
    raw.name !== name ||
    typeof raw.id !== 'string' ||
    typeof raw.created !== 'string'
  ) {
    throw new VarveError('Integrity', `Collection descriptor ${key} is malformed.`, { details: { key } })
  }
  const schema = Schema.fromJSON(raw.schema)
  const replica = raw.replica === undefined ? undefined : linkFromJson(raw.replica, schema, key)
  return { name, id: raw.id, schema, created: raw.created, ...(replica === undefined ? {} : { replica }) }
}

function linkToJson(link: ReplicaLink): Record<string, unknown> {
  return {
    upstream: link.upstream,
    id: link.upstreamId,
    ...(link.series === undefined ? {} : { series: link.series }),
    ...(link.since === undefined ? {} : { since: link.since }),
  }
}

function linkFromJson(json: unknown, schema: Schema, key: string): ReplicaLink {
  const raw = json as { upstream?: unknown; id?: unknown; series?: unknown; since?: unknown }
  const malformed = () =>
    new VarveError('Integrity', `The replica link in collection descriptor ${key} is malformed.`, {
      details: { key },
    })
  if (typeof raw?.upstream !== 'string' || typeof raw.id !== 'string') throw malformed()
  if (
    raw.series !== undefined &&
    !(Array.isArray(raw.series) && raw.series.every((l) => typeof l === 'string'))
  )
    throw malformed()
  let since: IndexValueJson | undefined
  if (raw.since !== undefined) {
    if (typeof raw.since !== 'string' && typeof raw.since !== 'number') throw malformed()
    indexValueFromJson(schema.indexColumns[0]!.type, raw.since)
    since = raw.since
  }
  return {
    upstream: raw.upstream,
    upstreamId: raw.id,
    ...(raw.series === undefined ? {} : { series: raw.series as string[] }),
    ...(since === undefined ? {} : { since }),
  }
}

export async function listCollectionNames(store: Store): Promise<string[]> {
  const names: string[] = []
  for await (const key of store.list(PREFIX)) names.push(key.slice(PREFIX.length))
  return names
}

/**
 * Removes the descriptor, then the changelog (loose and packed); data objects
 * stay for gc (another collection may share them). `keepHistory`, asked once
 * the name is gone, can keep the changelog (for a dataset published meanwhile;
 * gc removes it once nothing points at it).
 */
export async function deleteCollection(
  store: Store,
  descriptor: CollectionDescriptor,
  keepHistory?: () => Promise<boolean>,
): Promise<void> {
  await store.delete([PREFIX + descriptor.name, LINKS_PREFIX + descriptor.name])
  if (await keepHistory?.()) return
  for (const prefix of [`revisions/${descriptor.id}/`, `packs/${descriptor.id}/`]) {
    const keys: string[] = []
    for await (const key of store.list(prefix)) keys.push(key)
    for (let i = 0; i < keys.length; i += 1000) await store.delete(keys.slice(i, i + 1000))
  }
}

/**
 * The descriptor of `name` on `store`, created like `source` when absent (a
 * push or pull bringing a collection). Schemas must be equal: `SchemaMismatch`
 * otherwise, before anything is copied.
 */
export async function ensureDescriptorLike(
  store: Store,
  source: CollectionDescriptor,
): Promise<CollectionDescriptor> {
  let existing = await readDescriptor(store, source.name)
  if (existing === undefined) {
    try {
      return await createDescriptor(store, source.name, source.schema, source)
    } catch (error) {
      if (!VarveError.is(error, 'AlreadyExists')) throw error
      existing = await readDescriptor(store, source.name)
      if (existing === undefined) throw error
    }
  }
  if (existing.replica !== undefined && existing.id !== source.id) {
    throw replicaReadOnly(
      existing.name,
      existing.replica,
      `copy another collection into it from the other side`,
    )
  }
  if (!existing.schema.equals(source.schema)) {
    throw new VarveError(
      'SchemaMismatch',
      `Collection "${source.name}" has schema ${JSON.stringify(existing.schema.toJSON())} in ${store.description} but ${JSON.stringify(source.schema.toJSON())} on the other side; nothing was copied. Copy it under another name or fix one side.`,
    )
  }
  return existing
}
