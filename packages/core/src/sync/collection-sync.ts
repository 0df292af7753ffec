import { Changelog, headsOf, type Revision } from '../changelog/changelog.ts'
import { treeNodeLinks } from '../changelog/series-tree.ts'
import { sha256Hex } from '../chunks/hash.ts'
import { getObject, hashFromObjectKey, OBJECTS_PREFIX, objectKey, parseJson } from '../chunks/objects.ts'
import {
  type CollectionDescriptor,
  ensureDescriptorLike,
  listCollectionNames,
  readDescriptor,
} from '../collection/collection-registry.ts'
import type { CollectionSyncResult, SyncOptions } from '../collection/transfer.ts'
import { VarveError } from '../errors/varve-error.ts'
import { compareIndexValues, type IndexValue, indexValueFromJson } from '../model/index-value.ts'
import { seriesIndexChunks } from '../series/series-index.ts'
import { createInOrder } from '../store/create-in-order.ts'
import type { CreateEntry, Store } from '../store/store.ts'
import { validateConcurrency } from '../util/concurrency.ts'
import { forEachLimited } from '../util/for-each-limited.ts'
import { createLimiter } from '../util/limiter.ts'
import { readAhead } from '../util/read-ahead.ts'
import { putInOrder } from './put-in-order.ts'
import { generationsOf, nameOf, revisionLevels } from './revision-levels.ts'

interface PlannedObject {
  readonly hash: string
  readonly bytes: number
  /** Metadata read while planning is kept; chunks are read when copied. */
  readonly data?: Uint8Array
}

/** The part of a collection a partial replica holds: some series, and segments reaching `since` or later. */
export interface CopyScope {
  readonly labels?: ReadonlySet<string>
  readonly since?: IndexValue
}

/** Where a copy goes and what it takes, when not the same-named collection and everything. */
export interface CopyPlan {
  /** The destination's collection (its id may differ from the source's); found or made by name when absent. */
  readonly target?: CollectionDescriptor
  /** Defaults to the scope of the source's replica link: a partial replica copies on as partial. */
  readonly scope?: CopyScope
  /** Called when the source's changelog is empty but the destination's is not (a replica's upstream dropped?). */
  readonly whenSourceEmpty?: () => Promise<void>
}

/** The copy scope a replica link declares (undefined for a whole collection). */
export function linkScope(descriptor: CollectionDescriptor): CopyScope | undefined {
  const link = descriptor.replica
  if (link?.series === undefined && link?.since === undefined) return undefined
  return {
    ...(link.series === undefined ? {} : { labels: new Set(link.series) }),
    ...(link.since === undefined
      ? {}
      : { since: indexValueFromJson(descriptor.schema.indexColumns[0]!.type, link.since) }),
  }
}

/**
 * Copies one collection from `source` to `destination`: only the revisions the
 * destination lacks, and only the objects those revisions reach that it lacks
 * (within `copyPlan.scope`). Order keeps the destination readable at every instant, even if the copy is
 * killed: chunks, then series indexes, then tree nodes from the leaves up, and
 * revisions last, parents first. Re-running finishes an interrupted copy.
 * "Up to date" costs one listing of each side's changelog.
 */
export async function syncCollection(
  source: Store,
  destination: Store,
  descriptor: CollectionDescriptor,
  options: SyncOptions = {},
  copyPlan: CopyPlan = {},
): Promise<CollectionSyncResult> {
  const concurrency = validateConcurrency(options.concurrency)
  const target = copyPlan.target ?? (await ensureDescriptorLike(destination, descriptor))
  // Every object read of the copy (revisions, metadata, chunks) shares one pool of `concurrency`.
  const limited = createLimiter(concurrency)
  const sourceLog = new Changelog(source, descriptor.id)
  const targetLog = new Changelog(destination, target.id)
  // Up to date when the destination holds every source head loose (every source
  // head is loose, and a destination that holds a revision holds its ancestors;
  // a copy may have packed the others): one listing per side.
  const [sourceLoose, targetLoose] = await Promise.all([sourceLog.listLoose(), targetLog.listLoose()])
  const looseThere = new Set(targetLoose.map(nameOf))
  if (sourceLoose.length === 0 && targetLoose.length > 0) await copyPlan.whenSourceEmpty?.()
  const upToDate = (): CollectionSyncResult => ({
    collection: descriptor.name,
    revisions: 0,
    objects: 0,
    bytes: 0,
    heads: headsOf(targetLoose).map((r) => r.id),
    upToDate: true,
  })
  if (headsOf(sourceLoose).every((r) => looseThere.has(nameOf(r)))) return upToDate()
  const [sourceRevisions, targetRevisions] = await Promise.all([sourceLog.list(), targetLog.list()])
  const present = new Set(targetRevisions.map(nameOf))
  const missing = sourceRevisions.filter((r) => !present.has(nameOf(r)))
  // Every source revision is there, some of them packed on this side only.
  if (missing.length === 0) return upToDate()
  const have = new Set<string>()
  for await (const key of destination.list(OBJECTS_PREFIX)) {
    const hash = hashFromObjectKey(key)
    if (hash) have.add(hash)
  }
  const generations = generationsOf(missing)
  if (generations === undefined) {
    throw new VarveError(
      'Integrity',
      `The changelog of "${descriptor.name}" in ${source.description} has a cycle; nothing was copied.`,
    )
  }
  const after = headsOf([...targetRevisions, ...missing])
  const total = { objects: missing.length, bytes: 0 }
  const readRevision = async (revision: Revision) => {
    const bytes = await limited(() => sourceLog.bytes(revision))
    if (!nameOf(revision).includes(`-${sha256Hex(bytes).slice(0, 12)}`)) {
      throw new VarveError(
        'Integrity',
        `Revision ${revision.key} in ${source.description} does not match its hash; nothing more was copied.`,
        { details: { key: revision.key } },
      )
    }
    // Revision sizes are known only once read: the total grows with them, so done never passes it.
    total.bytes += bytes.length
    return bytes
  }
  // Each revision read once: for its root while planning, and for its copy.
  const read = new Map<string, Promise<Uint8Array>>()
  const revisionBytes = (revision: Revision) => {
    let bytes = read.get(revision.id)
    if (bytes === undefined) {
      bytes = readRevision(revision)
      read.set(revision.id, bytes)
    }
    return bytes
  }
  // The first chunks download while the walk still reads metadata: the pool never idles between
  // planning and copying. At most `concurrency` of them wait in memory to be taken.
  const early = new Map<string, Promise<Uint8Array>>()
  const fetchChunk = (hash: string) => limited(() => getObject(source, hash))
  const foundChunk = (hash: string) => {
    if (early.size >= concurrency) return
    const bytes = fetchChunk(hash)
    // A failure reaches whoever takes the chunk.
    bytes.catch(() => undefined)
    early.set(hash, bytes)
  }
  const takeChunk = (hash: string) => {
    const bytes = early.get(hash)
    early.delete(hash)
    return bytes ?? fetchChunk(hash)
  }
  // Packs of revisions are read while the objects are planned.
  const [plan, revisions] = await Promise.all([
    planObjects(
      source,
      destination,
      descriptor,
      missing.map(async (r) => ({ root: rootOf(await revisionBytes(r), r) })),
      have,
      copyPlan.scope ?? linkScope(descriptor),
      once(async () => !(await holdsOtherPartialReplica(destination, target.name))),
      { concurrency, limited, foundChunk },
    ),
    revisionLevels(generations, new Set(after.map((r) => r.id)), target.id, revisionBytes, concurrency),
  ])
  const objectLevels = [plan.chunks, plan.series, ...plan.nodesByHeight]
  const all = objectLevels.flat()
  total.objects += all.length
  total.bytes += all.reduce((n, o) => n + o.bytes, 0)
  const done = { objects: 0, bytes: 0 }
  const report = (phase: 'objects' | 'revisions') =>
    options.onProgress?.({
      collection: descriptor.name,
      phase,
      objectsDone: done.objects,
      objectsTotal: total.objects,
      bytesDone: done.bytes,
      bytesTotal: total.bytes,
    })
  report('objects')
  // The objects and revisions each entry stands for, and their bytes, by level and index, counted as it lands.
  const counts: number[][] = [
    ...objectLevels.map((level) => level.map(() => 1)),
    ...revisions.map((level) => level.map((o) => o.revisions)),
  ]
  const sizes: number[][] = counts.map(() => [])
  const sized = (level: number, index: number, bytes: Uint8Array) => {
    sizes[level]![index] = bytes.length
    return bytes
  }
  // Chunks download ahead of the store taking them (still `concurrency` at once): a folder
  // writes and flushes one while the next ones arrive, instead of a slot waiting on both.
  const chunk = readAhead(plan.chunks.length, concurrency, (i) => takeChunk(plan.chunks[i]!.hash))
  const levels: CreateEntry[][] = [
    ...objectLevels.map((level, l) =>
      level.map(
        (object, i): CreateEntry => [
          objectKey(object.hash),
          async () => sized(l, i, object.data ?? (l === 0 ? await chunk(i) : await takeChunk(object.hash))),
        ],
      ),
    ),
    ...revisions.map((level, r) =>
      level.map(({ key, bytes, size }, i): CreateEntry => {
        const l = objectLevels.length + r
        // A pack counts the bytes of the revisions it holds, as they would count loose.
        if (size !== undefined) sizes[l]![i] = size
        return [key, typeof bytes === 'function' ? async () => sized(l, i, await bytes()) : bytes]
      }),
    ),
  ]
  const landed = (level: number, index: number) => {
    done.objects += counts[level]![index]!
    done.bytes += sizes[level]![index]!
    report(level < objectLevels.length ? 'objects' : 'revisions')
  }
  // An object lands only once all it points at is there, a revision once its data and its parents
  // are: level by level through createInOrder, else each object once its own referents are in.
  if (destination.createInOrder) {
    await createInOrder(destination, levels, { concurrency, onCreated: landed })
  } else {
    // Objects are content-addressed: a plain put, the cheapest write on every store, may replace one.
    const ordered = objectLevels.flatMap((level, l) => level.map((object, i) => ({ object, l, i })))
    const linked = ordered.map(({ object }) => ({
      hash: object.hash,
      pointsAt: plan.pointsAt.get(object.hash),
    }))
    await putInOrder(linked, concurrency, async (k) => {
      const { object, l, i } = ordered[k]!
      // Read in the put's slot: at most `concurrency` objects' bytes in memory.
      const bytes = sized(l, i, object.data ?? (await takeChunk(object.hash)))
      await destination.put(objectKey(object.hash), bytes)
      landed(l, i)
    })
    await createInOrder(destination, levels.slice(objectLevels.length), {
      concurrency,
      onCreated: (level, index) => landed(objectLevels.length + level, index),
    })
  }
  return {
    collection: descriptor.name,
    revisions: missing.length,
    objects: all.length,
    bytes: done.bytes,
    heads: after.map((r) => r.id),
    upToDate: false,
  }
}

/**
 * Whether `store` holds a partial replica other than `name`. Where it does, an
 * object the destination holds does not prove it holds what that object points
 * at (the replica copied tree nodes without every series below them).
 */
async function holdsOtherPartialReplica(store: Store, name: string): Promise<boolean> {
  const others = (await listCollectionNames(store)).filter((other) => other !== name)
  const descriptors = await Promise.all(others.map((other) => readDescriptor(store, other)))
  return descriptors.some((descriptor) => descriptor !== undefined && linkScope(descriptor) !== undefined)
}

/** The tree root a revision's (verified) bytes name. */
function rootOf(bytes: Uint8Array, revision: Revision): string | null {
  const { root } = parseJson(bytes, revision.key) as { root?: unknown }
  if (root === null || typeof root === 'string') return root
  throw new VarveError('Integrity', `Revision ${revision.key} is malformed: it names no tree root.`, {
    details: { key: revision.key },
  })
}

function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined
  return () => {
    result ??= compute()
    return result
  }
}

async function planObjects(
  source: Store,
  destination: Store,
  descriptor: CollectionDescriptor,
  bodies: readonly Promise<{ root: string | null }>[],
  have: ReadonlySet<string>,
  scope: CopyScope | undefined,
  trustPresent: () => Promise<boolean>,
  reads: {
    readonly concurrency: number
    /** The copy's pool of object reads. */
    readonly limited: <T>(task: () => Promise<T>) => Promise<T>
    /** Told of each chunk to copy as the walk finds it. */
    readonly foundChunk: (hash: string) => void
  },
): Promise<{
  chunks: PlannedObject[]
  series: PlannedObject[]
  nodesByHeight: PlannedObject[][]
  /** For each series index and tree node to copy, the objects it points at. */
  pointsAt: Map<string, readonly string[]>
}> {
  const { concurrency, limited, foundChunk } = reads
  const pointsAt = new Map<string, readonly string[]>()
  const seen = new Set<string>()
  const chunks: PlannedObject[] = []
  const series: PlannedObject[] = []
  const nodes = new Map<string, { object: PlannedObject; children: readonly string[] }>()
  // Metadata the destination holds is read there: a copy walks below it only when a
  // partial replica may have left out what it points at (see `trustPresent`).
  const readMeta = async (hash: string) => {
    const data = await limited(() => getObject(have.has(hash) ? destination : source, hash))
    return { data, json: parseJson(data, objectKey(hash)) }
  }
  // Marked seen at once (visits run concurrently); trust is asked only when a present
  // object is met, so a copy into an empty destination never pays for it.
  const skip = async (hash: string) => {
    if (seen.has(hash)) return true
    seen.add(hash)
    return have.has(hash) && (await trustPresent())
  }
  const visitSeries = async (hash: string) => {
    if (await skip(hash)) return
    const { data, json } = await readMeta(hash)
    const segments = seriesIndexChunks(descriptor.schema, json, objectKey(hash))
    if (!have.has(hash)) {
      series.push({ hash, bytes: data.length, data })
      pointsAt.set(
        hash,
        segments.map((s) => s.chunk),
      )
    }
    for (const { chunk, bytes, last } of segments) {
      if (seen.has(chunk) || have.has(chunk)) continue
      if (scope?.since !== undefined && compareIndexValues(last[0]!, scope.since) < 0) continue
      seen.add(chunk)
      chunks.push({ hash: chunk, bytes })
      foundChunk(chunk)
    }
  }
  const visitNode = async (hash: string): Promise<void> => {
    if (await skip(hash)) return
    const { data, json } = await readMeta(hash)
    const links = treeNodeLinks(json, objectKey(hash))
    if (!have.has(hash)) {
      nodes.set(hash, { object: { hash, bytes: data.length, data }, children: links.children })
      pointsAt.set(hash, [...links.children, ...links.series])
    }
    // Tree nodes are copied whole (a scoped reader lists them); series outside the scope are not.
    const series = links.series.filter((_, i) => scope?.labels?.has(links.labels[i]!) ?? true)
    await Promise.all([...series.map(visitSeries), ...links.children.map(visitNode)])
  }
  // Revisions are walked several at once; `seen` makes a shared subtree read once.
  await forEachLimited(bodies, concurrency, async (body) => {
    const { root } = await body
    if (root !== null) await visitNode(root)
  })
  // A node's height (0 for a node whose children the destination has) orders the copy:
  // every node is written after all the nodes it points at.
  const heights = new Map<string, number>()
  const heightOf = (hash: string): number => {
    const node = nodes.get(hash)
    if (node === undefined) return -1
    let height = heights.get(hash)
    if (height === undefined) {
      height = 1 + Math.max(-1, ...node.children.map(heightOf))
      heights.set(hash, height)
    }
    return height
  }
  const nodesByHeight: PlannedObject[][] = []
  for (const [hash, node] of nodes) {
    const height = heightOf(hash)
    const level = nodesByHeight[height] ?? []
    level.push(node.object)
    nodesByHeight[height] = level
  }
  return { chunks, series, nodesByHeight: nodesByHeight.filter((level) => level !== undefined), pointsAt }
}
