import {
  type CollectionDescriptor,
  createDescriptor,
  validateCollectionName,
} from '../collection/collection-registry.ts'
import type { CollectionUri, SyncOptions } from '../collection/transfer.ts'
import { syncCollection } from '../sync/collection-sync.ts'
import type { LinkHost } from './collection-links.ts'
import { parseCollectionUri } from './collection-uri.ts'
import { sourceDescriptor } from './replicate-collection.ts'

/**
 * Copies the collection `uri` names into the host repository as `name`: a new
 * collection (its own id, no upstream, writable) holding the source's whole
 * history. Checked first (`InvalidArgument`, `NotFound`, `AlreadyExists` for a
 * taken name), so a refusal writes nothing.
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
  const descriptor = await createDescriptor(host.store, name, source.schema)
  await syncCollection(store, host.store, source, options, { target: descriptor })
  return descriptor
}
