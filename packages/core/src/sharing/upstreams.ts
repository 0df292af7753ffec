import { encodeJson, parseJson } from '../chunks/objects.ts'
import { type CollectionDescriptor, LINKS_PREFIX } from '../collection/collection-registry.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'

/**
 * The upstreams a collection was published to, kept in `links/<name>`:
 * `{"kind":"upstreams","collection":"<id>","upstreams":["s3://…#sales", …]}`.
 * The id ties the list to one collection: a list left by a dropped collection
 * of the same name is ignored.
 */
export interface UpstreamRecord {
  readonly collection: string
  readonly upstreams: readonly string[]
}

/** The record of `name`, or undefined (read by name, so it can go beside the descriptor's read). */
export async function readUpstreamRecord(store: Store, name: string): Promise<UpstreamRecord | undefined> {
  const key = LINKS_PREFIX + name
  const bytes = await store.get(key)
  return bytes === undefined ? undefined : parseRecord(bytes, key)
}

/** The upstreams a record holds for the collection `id` (none for a record of another collection). */
export function upstreamsOf(record: UpstreamRecord | undefined, id: string): string[] {
  return record?.collection === id ? [...record.upstreams] : []
}

/** Adds `uris` to the recorded upstreams (read, union, write) and returns the whole list. */
export async function addUpstreams(
  store: Store,
  descriptor: CollectionDescriptor,
  uris: readonly string[],
): Promise<string[]> {
  const known = upstreamsOf(await readUpstreamRecord(store, descriptor.name), descriptor.id)
  const all = [...known, ...uris.filter((uri) => !known.includes(uri))]
  if (all.length > known.length) {
    await store.put(
      LINKS_PREFIX + descriptor.name,
      encodeJson({ kind: 'upstreams', collection: descriptor.id, upstreams: all }),
    )
  }
  return all
}

function parseRecord(bytes: Uint8Array, key: string): UpstreamRecord {
  const raw = parseJson(bytes, key) as { kind?: unknown; collection?: unknown; upstreams?: unknown }
  if (
    raw?.kind !== 'upstreams' ||
    typeof raw.collection !== 'string' ||
    !Array.isArray(raw.upstreams) ||
    !raw.upstreams.every((u) => typeof u === 'string')
  ) {
    throw new VarveError('Integrity', `The upstream list ${key} is malformed.`, { details: { key } })
  }
  return { collection: raw.collection, upstreams: raw.upstreams as string[] }
}
