import {
  type CollectionDescriptor,
  createDescriptor,
  listCollectionNames,
  type ReplicaLink,
  readDescriptor,
  validateCollectionName,
} from '../collection/collection-registry.ts'
import { validateLabel } from '../collection/labels.ts'
import type { IndexBound } from '../collection/read-options.ts'
import type { CollectionUri, SyncOptions } from '../collection/transfer.ts'
import { VarveError } from '../errors/varve-error.ts'
import { indexValueToJson } from '../model/index-value.ts'
import type { Store } from '../store/store.ts'
import { linkScope, syncCollection } from '../sync/collection-sync.ts'
import type { LinkHost } from './collection-links.ts'
import { type ParsedCollectionUri, parseCollectionUri } from './collection-uri.ts'

/** What `replicate` copies (everything by default) and how. */
export interface ReplicateOptions extends SyncOptions {
  /** Only these series (labels): a partial replica; reading another throws `OutOfScope`. */
  readonly series?: readonly string[]
  /**
   * Only rows from this index value on (an instant for a timestamp index): a
   * partial replica; segments ending before it are not copied, and reading
   * before it throws `OutOfScope`.
   */
  readonly since?: IndexBound
}

const OPTIONS = new Set(['series', 'since', 'concurrency', 'onProgress'])

/**
 * Makes `name` in the host repository a replica of `uri`: a descriptor with a
 * new id and the link (create-only), then a pull. Everything is checked first
 * (`InvalidArgument`, `NotFound`, `AlreadyExists`), so a refusal writes nothing.
 */
export async function replicateCollection(
  host: LinkHost,
  uri: CollectionUri,
  name: string,
  options: ReplicateOptions = {},
): Promise<CollectionDescriptor> {
  const link = parseCollectionUri(uri)
  validateCollectionName(name)
  const series = checkOptions(options)
  const upstreamStore = await host.remotes.openRepository(link)
  const upstream = await sourceDescriptor(upstreamStore, link)
  const since =
    options.since === undefined
      ? undefined
      : indexValueToJson(upstream.schema.coerceIndexValue(options.since, 'since'))
  await refuseSecondReplica(host.store, link, name)
  const replica: ReplicaLink = {
    upstream: link.uri,
    upstreamId: upstream.id,
    ...(series === undefined ? {} : { series }),
    ...(since === undefined ? {} : { since }),
  }
  const descriptor = await createDescriptor(host.store, name, upstream.schema, undefined, replica)
  await syncCollection(upstreamStore, host.store, upstream, options, {
    target: descriptor,
    scope: linkScope(descriptor),
  })
  return descriptor
}

/**
 * The descriptor of the collection a link names, for a replica or a copy:
 * `NotFound` (naming what is there) when absent, `InvalidArgument` when it is
 * itself a partial replica (it lacks data: copy from its upstream).
 */
export async function sourceDescriptor(
  store: Store,
  link: ParsedCollectionUri,
): Promise<CollectionDescriptor> {
  const descriptor = await readDescriptor(store, link.collection)
  if (descriptor === undefined) {
    const names = await listCollectionNames(store)
    throw new VarveError(
      'NotFound',
      `${link.storeUri} holds no collection "${link.collection}"; it holds ${names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ')}.`,
      { details: { uri: link.uri } },
    )
  }
  if (linkScope(descriptor) !== undefined) {
    throw new VarveError(
      'InvalidArgument',
      `${link.uri} is a partial replica (only some of its upstream's data is there); copy from its upstream ${descriptor.replica!.upstream} instead.`,
      { details: { uri: link.uri, upstream: descriptor.replica!.upstream } },
    )
  }
  return descriptor
}

function checkOptions(options: ReplicateOptions): string[] | undefined {
  if (typeof options !== 'object' || options === null) {
    throw new VarveError(
      'InvalidArgument',
      "replicate() options must be an object such as { series: ['Brussels'] }.",
    )
  }
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) {
      throw new VarveError(
        'InvalidArgument',
        `Unknown replicate() option "${key}"; the options are ${[...OPTIONS].join(', ')}.`,
      )
    }
  }
  if (options.series === undefined) return undefined
  if (!Array.isArray(options.series) || options.series.length === 0) {
    throw new VarveError(
      'InvalidArgument',
      "replicate()'s series must be a non-empty array of labels, such as ['Brussels']; leave it out to replicate every series.",
    )
  }
  return [...new Set(options.series.map((label) => validateLabel(label)))].sort()
}

/** One replica per upstream in a repository: `AlreadyExists` naming the one there. */
async function refuseSecondReplica(store: Store, link: ParsedCollectionUri, name: string): Promise<void> {
  for (const other of await listCollectionNames(store)) {
    const descriptor = await readDescriptor(store, other)
    if (descriptor?.replica?.upstream === link.uri) {
      throw new VarveError(
        'AlreadyExists',
        `${link.uri} is already replicated here as "${other}"; bring it up to date with (await repo.collection('${other}')).pull()${other === name ? '' : `, or drop that one first to replicate it as "${name}"`}.`,
        { details: { uri: link.uri, collection: other } },
      )
    }
  }
}
