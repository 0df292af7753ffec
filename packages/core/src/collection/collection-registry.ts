import { randomBytes } from 'node:crypto'
import { encodeJson, parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import { Schema } from '../model/schema.ts'
import type { Store } from '../store/store.ts'

/** What is fixed about a collection at creation. */
export interface CollectionDescriptor {
  readonly name: string
  readonly id: string
  readonly schema: Schema
  readonly created: string
}

const PREFIX = 'collections/'
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
 * one wins. `from` copies id and creation time (a collection arriving by sync).
 */
export async function createDescriptor(
  store: Store,
  name: string,
  schema: Schema,
  from?: CollectionDescriptor,
): Promise<CollectionDescriptor> {
  const descriptor: CollectionDescriptor = {
    name,
    id: from?.id ?? randomBytes(8).toString('hex'),
    schema,
    created: from?.created ?? new Date().toISOString(),
  }
  const bytes = encodeJson({
    kind: 'collection',
    name,
    id: descriptor.id,
    schema: schema.toJSON(),
    created: descriptor.created,
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
  }
  if (
    raw?.kind !== 'collection' ||
    raw.name !== name ||
    typeof raw.id !== 'string' ||
    typeof raw.created !== 'string'
  ) {
    throw new VarveError('Integrity', `Collection descriptor ${key} is malformed.`, { details: { key } })
  }
  return { name, id: raw.id, schema: Schema.fromJSON(raw.schema), created: raw.created }
}

export async function listCollectionNames(store: Store): Promise<string[]> {
  const names: string[] = []
  for await (const key of store.list(PREFIX)) names.push(key.slice(PREFIX.length))
  return names
}

/** Removes the descriptor, then the changelog (loose and packed); data objects stay for gc (another collection may share them). */
export async function deleteCollection(store: Store, descriptor: CollectionDescriptor): Promise<void> {
  await store.delete([PREFIX + descriptor.name])
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
  if (!existing.schema.equals(source.schema)) {
    throw new VarveError(
      'SchemaMismatch',
      `Collection "${source.name}" has schema ${JSON.stringify(existing.schema.toJSON())} in ${store.description} but ${JSON.stringify(source.schema.toJSON())} on the other side; nothing was copied. Copy it under another name or fix one side.`,
    )
  }
  return existing
}
