import { treeNodeLinks } from '../changelog/series-tree.ts'
import { getObject, objectKey, parseJson } from '../chunks/objects.ts'
import { readDescriptor } from '../collection/collection-registry.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Schema } from '../model/schema.ts'
import { seriesIndexChunks } from '../series/series-index.ts'
import type { Store } from '../store/store.ts'
import type { GcRoot } from './gather-roots.ts'

/** Metadata reads in flight at once. */
const CONCURRENCY = 16

/**
 * The hashes of every object the roots reach: revision → root tree node →
 * child nodes → series indexes → chunks. Each revision and metadata object is
 * read once and verified against its hash; an object already marked is not
 * read again, nor is what lies below it. Chunks are marked, never read.
 *
 * A reachable metadata object that is missing or corrupt stops the mark
 * (`NotFound`, `Integrity`): what it points at cannot be known, so nothing
 * may be deleted. A revision that cannot be read is passed over only when its
 * collection has been dropped meanwhile; otherwise its error stops the mark.
 */
export async function markReachable(store: Store, roots: readonly GcRoot[]): Promise<Set<string>> {
  const marked = new Set<string>()
  const limit = limiter(CONCURRENCY)

  const readMeta = (hash: string) =>
    limit(async () => parseJson(await getObject(store, hash), objectKey(hash)))

  const visitSeries = async (hash: string, schema: Schema): Promise<void> => {
    if (marked.has(hash)) return
    marked.add(hash)
    const json = await readMeta(hash)
    for (const { chunk } of seriesIndexChunks(schema, json, objectKey(hash))) marked.add(chunk)
  }

  // A node walked for a partial replica reaches only its series: a whole walk of it must still happen.
  const walked = new Set<string>()
  const visitNode = async (hash: string, root: GcRoot): Promise<void> => {
    const walk = root.labels === undefined ? hash : `${hash}\u0000${[...root.labels].join('\u0000')}`
    if (walked.has(hash) || walked.has(walk)) return
    walked.add(walk)
    marked.add(hash)
    const links = treeNodeLinks(await readMeta(hash), objectKey(hash))
    const series = links.series.filter((_, i) => root.labels?.has(links.labels[i]!) ?? true)
    await Promise.all([
      ...series.map((index) => visitSeries(index, root.schema)),
      ...links.children.map((child) => visitNode(child, root)),
    ])
  }

  const visitRoot = async (root: GcRoot): Promise<void> => {
    let tree: string | null
    try {
      tree = (await limit(() => root.changelog.read(root.revision))).root
    } catch (error) {
      if (VarveError.is(error, 'NotFound') && !(await stillExists(store, root))) return
      throw error
    }
    if (tree !== null) await visitNode(tree, root)
  }

  await Promise.all(roots.map(visitRoot))
  return marked
}

async function stillExists(store: Store, root: GcRoot): Promise<boolean> {
  return (await readDescriptor(store, root.collectionName))?.id === root.collectionId
}

/** Runs at most `n` of the tasks given to it at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: (() => void)[] = []
  return async (task) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve))
    else active++
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}
