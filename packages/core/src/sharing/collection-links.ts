import type { CollectionLinks } from '../collection/collection-context.ts'
import {
  type CollectionDescriptor,
  listCollectionNames,
  readDescriptor,
} from '../collection/collection-registry.ts'
import { replicaDetails, replicaReadOnly } from '../collection/replica-errors.ts'
import type { CollectionSyncResult, SyncOptions, UpstreamSyncResult } from '../collection/transfer.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'
import { linkScope, syncCollection } from '../sync/collection-sync.ts'
import { type ParsedCollectionUri, parseCollectionUri, parseRecordedUri } from './collection-uri.ts'
import type { LinkStores } from './link-stores.ts'
import { addUpstreams } from './upstreams.ts'

/** What a collection's links need of their repository. */
export interface LinkHost {
  /** The repository's own store. */
  readonly store: Store
  readonly remotes: LinkStores
}

/** The links of one collection, with `load` to refresh the recorded upstreams (on every open). */
export interface LoadableLinks extends CollectionLinks {
  load(upstreams: readonly string[]): void
}

export function createCollectionLinks(
  host: LinkHost,
  descriptor: CollectionDescriptor,
  upstreams: readonly string[],
): LoadableLinks {
  let known = [...upstreams]
  const replica = descriptor.replica
  return {
    replica,
    upstreams: () => (replica === undefined ? known : [replica.upstream]),
    load(list) {
      known = [...list]
    },

    async publish(targets, options) {
      if (replica !== undefined) throw replicaReadOnly(descriptor.name, replica, 'publish it')
      const links = dedupe(targets.map((target) => parseCollectionUri(target)))
      const stores = await Promise.all(links.map((link) => host.remotes.open(link)))
      // Every target is checked before any is written: a refusal leaves all of them untouched.
      await Promise.all(links.map((link, i) => checkPublishTarget(host, stores[i]!, link, descriptor)))
      await Promise.all(
        links.map(async (link, i) => {
          await host.remotes.openRepository(link, true)
          await syncCollection(host.store, stores[i]!, { ...descriptor, name: link.collection }, options)
        }),
      )
      known = await addUpstreams(
        host.store,
        descriptor,
        links.map((link) => link.uri),
      )
      return links.map((link) => link.uri)
    },

    async push(options) {
      if (replica !== undefined) {
        throw new VarveError(
          'ReadOnly',
          `Collection "${descriptor.name}" is a read-only replica of ${replica.upstream}: it has nothing of its own to push. To bring the upstream's new revisions here, call pull(); for a copy of your own to write to and publish, use repo.createCollection('${descriptor.name}-copy', { source: '${replica.upstream}' }).`,
          { details: replicaDetails(descriptor.name, replica.upstream) },
        )
      }
      if (known.length === 0) {
        throw new VarveError(
          'InvalidArgument',
          `Collection "${descriptor.name}" has no upstream to push to: publish it first (publish(collection, 's3://bucket/hub#${descriptor.name}')), or name the remote: collection.push('s3://bucket/hub').`,
        )
      }
      const results = await Promise.allSettled(
        known.map((uri) => pushTo(host, parseRecordedUri(uri), descriptor, options)),
      )
      const failed = results.find((r) => r.status === 'rejected')
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
      return results.map((r) => (r as PromiseFulfilledResult<UpstreamSyncResult>).value)
    },

    async pull(options) {
      if (replica !== undefined) {
        const link = parseRecordedUri(replica.upstream)
        // The link holds the upstream's id: one listing of its changelog tells whether anything is new.
        const upstream = await host.remotes.open(link)
        const source = { ...descriptor, name: link.collection, id: replica.upstreamId }
        const result = await syncCollection(upstream, host.store, source, options, {
          target: descriptor,
          scope: linkScope(descriptor),
          whenSourceEmpty: () => explainLostUpstream(upstream, link, descriptor),
        })
        return { ...result, collection: descriptor.name }
      }
      if (known.length === 0) {
        throw new VarveError(
          'InvalidArgument',
          `Collection "${descriptor.name}" has no upstream to pull from. Name the remote (collection.pull('s3://bucket/hub')); to follow a collection published elsewhere, replicate it: replicate('s3://bucket/hub#${descriptor.name}', repo, '${descriptor.name}').`,
        )
      }
      let total: CollectionSyncResult | undefined
      for (const uri of known) {
        const result = await pullFrom(host, parseRecordedUri(uri), descriptor, options)
        total = total === undefined ? result : sum(total, result)
      }
      return total!
    },
  }
}

/** Why a replica's upstream changelog is empty: its collection was dropped, or replaced under its name. */
async function explainLostUpstream(
  upstream: Store,
  link: ParsedCollectionUri,
  descriptor: CollectionDescriptor,
): Promise<void> {
  const there = await readDescriptor(upstream, link.collection)
  if (there?.id === descriptor.replica?.upstreamId) return
  const what =
    there === undefined
      ? 'no longer holds that collection (dropped there)'
      : `now holds another collection under that name (id ${there.id}, created ${there.created})`
  throw new VarveError(
    'NotFound',
    `The upstream ${link.uri} of replica "${descriptor.name}" ${what}; the replica keeps what it has. To follow what is there now, replicate it anew (repo.dropCollection('${descriptor.name}', { replica: true }), then replicate('${link.uri}', repo, '${descriptor.name}')).`,
    { details: { upstream: link.uri } },
  )
}

/** Refuses a target holding another collection under the name (another id, or another schema). */
async function checkPublishTarget(
  host: LinkHost,
  store: Store,
  link: ParsedCollectionUri,
  descriptor: CollectionDescriptor,
): Promise<void> {
  if (store.description === host.store.description) {
    throw new VarveError(
      'InvalidArgument',
      `${link.uri} is in the repository "${descriptor.name}" already lives in: publish to another repository (e.g. 's3://bucket/hub#${descriptor.name}'); for a second collection here, use repo.createCollection(name, { source }).`,
    )
  }
  try {
    await host.remotes.openRepository(link)
  } catch (error) {
    if (VarveError.is(error, 'NotFound')) return // made on the write
    throw error
  }
  const there = await readDescriptor(store, link.collection)
  if (there !== undefined) return checkSameCollection(there, link, descriptor, 'publish')
  // Two names sharing one id would share one changelog: publish to the name it already has there.
  for (const name of await listCollectionNames(store)) {
    if ((await readDescriptor(store, name))?.id === descriptor.id) {
      throw new VarveError(
        'AlreadyExists',
        `${link.storeUri} already holds collection "${descriptor.name}" as "${name}"; publish to '${link.storeUri}#${name}' instead (one collection has one name in a repository). Nothing was written.`,
        { details: { uri: link.uri, existing: name } },
      )
    }
  }
}

function checkSameCollection(
  there: CollectionDescriptor,
  link: ParsedCollectionUri,
  descriptor: CollectionDescriptor,
  verb: 'publish' | 'push' | 'pull',
): void {
  if (there.id !== descriptor.id) {
    throw new VarveError(
      'AlreadyExists',
      `Cannot ${verb} "${descriptor.name}" ${verb === 'pull' ? 'from' : 'to'} ${link.uri}: the name holds another collection there (id ${there.id}, created ${there.created}; this one is ${descriptor.id}), and their histories are not to be mixed; nothing was written. ${verb === 'publish' ? `Publish under another name (e.g. '${link.storeUri}#${descriptor.name}-2'), or replicate that collection instead.` : 'Publish this collection to another name.'}`,
      { details: { uri: link.uri, id: there.id } },
    )
  }
  if (!there.schema.equals(descriptor.schema)) {
    throw new VarveError(
      'SchemaMismatch',
      `Cannot ${verb} "${descriptor.name}" with ${link.uri}: the schemas differ (${JSON.stringify(there.schema.toJSON())} there); nothing was written.`,
    )
  }
}

async function pushTo(
  host: LinkHost,
  link: ParsedCollectionUri,
  descriptor: CollectionDescriptor,
  options: SyncOptions | undefined,
): Promise<UpstreamSyncResult> {
  const store = await host.remotes.openRepository(link, true)
  const there = await readDescriptor(store, link.collection)
  if (there !== undefined) checkSameCollection(there, link, descriptor, 'push')
  const result = await syncCollection(
    host.store,
    store,
    { ...descriptor, name: link.collection },
    options,
    there === undefined ? {} : { target: there },
  )
  return { ...result, collection: descriptor.name, upstream: link.uri }
}

async function pullFrom(
  host: LinkHost,
  link: ParsedCollectionUri,
  descriptor: CollectionDescriptor,
  options: SyncOptions | undefined,
): Promise<CollectionSyncResult> {
  const store = await host.remotes.open(link)
  const there = await readDescriptor(store, link.collection)
  if (there === undefined) {
    throw new VarveError(
      'NotFound',
      `The upstream ${link.uri} of "${descriptor.name}" holds no such collection (dropped there?); push() publishes it again.`,
    )
  }
  checkSameCollection(there, link, descriptor, 'pull')
  const result = await syncCollection(store, host.store, there, options, { target: descriptor })
  return { ...result, collection: descriptor.name }
}

function sum(a: CollectionSyncResult, b: CollectionSyncResult): CollectionSyncResult {
  return {
    collection: a.collection,
    revisions: a.revisions + b.revisions,
    objects: a.objects + b.objects,
    bytes: a.bytes + b.bytes,
    heads: b.heads,
    upToDate: a.upToDate && b.upToDate,
  }
}

function dedupe(links: readonly ParsedCollectionUri[]): ParsedCollectionUri[] {
  if (links.length === 0) {
    throw new VarveError(
      'InvalidArgument',
      "publish() needs at least one collection URI, e.g. publish(collection, 's3://bucket/hub#temperature').",
    )
  }
  const seen = new Map<string, ParsedCollectionUri>()
  for (const link of links) if (!seen.has(link.uri)) seen.set(link.uri, link)
  return [...seen.values()]
}
