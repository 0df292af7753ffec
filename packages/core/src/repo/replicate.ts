import type { Collection } from '../collection/collection.ts'
import type { CollectionUri } from '../collection/transfer.ts'
import type { ReplicateOptions } from '../sharing/replicate-collection.ts'
import { type Repo, repoSharing } from './repo.ts'

/**
 * Makes `name` in `repo` a read-only replica of the collection `uri` names
 * (`'s3://bucket/hub#temperature'`), copies it, and returns it. Later,
 * `replica.pull()` brings new revisions (incremental; "up to date" costs one
 * listing upstream). With `series` and/or `since`, a partial replica copies
 * only those series and the segments reaching `since` or later; reads outside
 * throw `OutOfScope`. Writes, merges and squashes throw `ReadOnly`.
 *
 * Checked before anything is written: `InvalidArgument` (bad URI, name or
 * options, or a partial replica as the source), `NotFound` (no repository or
 * no such collection there), `AlreadyExists` (the name is taken, or the
 * upstream is already replicated in `repo`: the message names that replica).
 */
export function replicate(
  uri: CollectionUri,
  repo: Repo,
  name: string,
  options?: ReplicateOptions,
): Promise<Collection> {
  return repoSharing(repo).replicate(uri, name, options)
}
