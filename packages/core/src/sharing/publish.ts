import { type Collection, collectionLinks } from '../collection/collection.ts'
import type { CollectionUri, SyncOptions } from '../collection/transfer.ts'

/**
 * Pushes `collection` to the repository (or repositories) the URI(s) name,
 * `<store-uri>#<name>` (`'gs://bucket/hub#temperature'`; a repository is made
 * there if none exists), and records each as an upstream, so that
 * `collection.push()` sends new revisions to all of them later. Returns the
 * URIs as recorded (a folder path becomes a `file://` URI), one for a string,
 * an array for an array.
 *
 * Every target is checked before anything is written: `InvalidArgument` for a
 * bad URI (or one carrying credentials), `AlreadyExists` when the name there
 * holds a different collection (another id), `SchemaMismatch` for another
 * schema, `ReadOnly` for a replica. Re-running finishes an interrupted publish.
 */
export function publish(collection: Collection, uri: CollectionUri, options?: SyncOptions): Promise<string>
export function publish(
  collection: Collection,
  uris: readonly CollectionUri[],
  options?: SyncOptions,
): Promise<string[]>
export async function publish(
  collection: Collection,
  uris: CollectionUri | readonly CollectionUri[],
  options?: SyncOptions,
): Promise<string | string[]> {
  const links = collectionLinks(collection)
  if (Array.isArray(uris)) return links.publish(uris, options)
  const [recorded] = await links.publish([uris as CollectionUri], options)
  return recorded!
}
