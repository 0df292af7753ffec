import { VarveError } from '../errors/varve-error.ts'
import { indexValueFromJson } from '../model/index-value.ts'
import type { Schema } from '../model/schema.ts'
import type { CollectionDescriptor, ReplicaLink } from './collection-registry.ts'
import type { IndexBound } from './read-options.ts'
import type { ReadScope } from './scope.ts'

/**
 * The `details` of every `ReadOnly` a replica raises: the replica, its
 * upstream, and the name its messages suggest for a writable copy, so that a
 * program (the CLI) can say how to make one in its own words.
 */
export function replicaDetails(
  name: string,
  upstream: string,
): { collection: string; upstream: string; copyName: string } {
  return { collection: name, upstream, copyName: `${name}-copy` }
}

/** `ReadOnly` for a change asked of a replica, saying where its data comes from and how to get a writable copy. */
export function replicaReadOnly(name: string, link: ReplicaLink, action: string): VarveError {
  return new VarveError(
    'ReadOnly',
    `Cannot ${action}: collection "${name}" is a read-only replica of ${link.upstream}. Its data changes only through its upstream (written there, brought here by pull()); for a copy of your own to write to, use repo.createCollection('${name}-copy', { source: '${link.upstream}' }).`,
    { details: replicaDetails(name, link.upstream) },
  )
}

/** `ReadOnly` for `dropCollection` of a replica without `{ replica: true }`. */
export function replicaDropRefused(descriptor: CollectionDescriptor): VarveError {
  const upstream = descriptor.replica!.upstream
  return new VarveError(
    'ReadOnly',
    `Collection "${descriptor.name}" is a read-only replica of ${upstream}; dropping it here would not drop the upstream. To stop replicating and delete the local copy, call repo.dropCollection('${descriptor.name}', { replica: true }); to change the data, write to the upstream or make a writable copy: repo.createCollection('${descriptor.name}-copy', { source: '${upstream}' }).`,
    { details: replicaDetails(descriptor.name, upstream) },
  )
}

/** The read scope of a partial replica (undefined for a whole one). */
export function replicaScope(name: string, schema: Schema, link: ReplicaLink): ReadScope | undefined {
  if (link.series === undefined && link.since === undefined) return undefined
  return {
    ...(link.series === undefined ? {} : { labels: link.series }),
    ...(link.since === undefined
      ? {}
      : { start: indexValueFromJson(schema.indexColumns[0]!.type, link.since) as IndexBound }),
    owner: `partial replica "${name}" of ${link.upstream}`,
    hint: `To read more, replicate what you need into another repository (replicate('${link.upstream}', repo, name, { series, since })), or read the upstream itself.`,
  }
}
