import { Changelog } from '../changelog/changelog.ts'
import {
  type CollectionDescriptor,
  createDescriptor,
  readDescriptor,
  validateCollectionName,
} from '../collection/collection-registry.ts'
import type { CollectionUri, SyncOptions } from '../collection/transfer.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'
import { syncCollection } from '../sync/collection-sync.ts'
import type { LinkHost } from './collection-links.ts'
import { type ParsedCollectionUri, parseCollectionUri } from './collection-uri.ts'
import { sourceDescriptor } from './replicate-collection.ts'
import { readUpstreamRecord, upstreamsOf } from './upstreams.ts'

/**
 * Copies the collection `uri` names into the host repository as `name`: a new
 * collection (its own id, no upstream, writable) holding the source's whole
 * history. Checked first (`InvalidArgument`, `NotFound`), so a refusal writes
 * nothing. A taken name is `AlreadyExists`, except where it holds an
 * unfinished copy of this source (see `createOrResume`): a re-run finishes an
 * interrupted copy.
 */
export async function copyDetached(
  host: LinkHost,
  uri: CollectionUri,
  name: string,
  options: SyncOptions = {},
): Promise<CollectionDescriptor> {
  const link = parseCollectionUri(uri, 'source')
  validateCollectionName(name)
  const store = await host.remotes.openRepository(link)
  const source = await sourceDescriptor(store, link)
  const descriptor = await createOrResume(host.store, store, link, name, source)
  await syncCollection(store, host.store, source, options, { target: descriptor })
  return descriptor
}

/**
 * The copy's new descriptor; or, where `name` already holds what an
 * interrupted copy of this source leaves (the same schema, no replica link, no
 * upstreams, and only revisions the source has: a prefix of its history, maybe
 * none), that collection, for the sync to finish. Anything else under the name
 * is `AlreadyExists`, saying why it is not such a copy.
 */
async function createOrResume(
  host: Store,
  sourceStore: Store,
  link: ParsedCollectionUri,
  name: string,
  source: CollectionDescriptor,
): Promise<CollectionDescriptor> {
  try {
    return await createDescriptor(host, name, source.schema)
  } catch (error) {
    if (!VarveError.is(error, 'AlreadyExists')) throw error
    const [there, record] = await Promise.all([readDescriptor(host, name), readUpstreamRecord(host, name)])
    if (there === undefined) throw error
    const reason = await notACopy(there, upstreamsOf(record, there.id), host, sourceStore, source)
    if (reason === undefined) return there
    throw new VarveError(
      'AlreadyExists',
      `Collection "${name}" already exists and is not an unfinished copy of ${link.uri}: it ${reason}. Nothing was copied; open it with repo.collection("${name}"), or copy under another name.`,
      { cause: error, details: { collection: name, source: link.uri } },
    )
  }
}

/** Why `there` cannot be an interrupted copy of `source`; undefined when it can. */
async function notACopy(
  there: CollectionDescriptor,
  upstreams: readonly string[],
  host: Store,
  sourceStore: Store,
  source: CollectionDescriptor,
): Promise<string | undefined> {
  if (there.id === source.id) return 'is that collection itself (the same id)'
  if (there.replica !== undefined) return `is a replica of ${there.replica.upstream}`
  if (!there.schema.equals(source.schema)) {
    return `has another schema (${JSON.stringify(there.schema.toJSON())})`
  }
  if (upstreams.length > 0) return `is published to ${upstreams.join(', ')}`
  const [theirs, ours] = await Promise.all([
    new Changelog(sourceStore, source.id).list(),
    new Changelog(host, there.id).list(),
  ])
  // A copy writes the source's revisions byte for byte, so their names (id and hash) match.
  const inSource = new Set(theirs.map(nameOf))
  const own = ours.filter((revision) => !inSource.has(nameOf(revision))).length
  if (own > 0) return `holds ${own} revision${own === 1 ? '' : 's'} the source does not have`
  return undefined
}

function nameOf(revision: { readonly key: string }): string {
  return revision.key.slice(revision.key.lastIndexOf('/') + 1)
}
