import { sha256Hex } from '../chunks/hash.ts'
import type { ObjectIo } from '../chunks/object-io.ts'
import { VarveError } from '../errors/varve-error.ts'

/**
 * The state of a collection at one revision: a map from series label to the
 * hash of that series' index, stored as a hash trie so a commit rewrites only
 * the path to the series it changed (a few kilobytes), not a list of every
 * series. Nodes are content-addressed; the shape depends only on the set of
 * labels, so the same state always has the same root hash.
 *
 * - a leaf holds at most LEAF_MAX entries, sorted by label;
 * - a branch at depth d splits its entries by hex digit d of SHA-256(label).
 */
export const LEAF_MAX = 64
const FANOUT = 16

export interface TreeEntry {
  readonly label: string
  /** Hash of the series index object. */
  readonly series: string
  readonly rows: number
}

type TreeNode =
  | { readonly kind: 'leaf'; readonly entries: readonly TreeEntry[] }
  | { readonly kind: 'branch'; readonly count: number; readonly children: readonly (string | null)[] }

/** The empty tree has no node: its root is null. */
export type TreeRoot = string | null

export async function getEntry(io: ObjectIo, root: TreeRoot, label: string): Promise<TreeEntry | undefined> {
  const digits = labelDigits(label)
  let hash = root
  for (let depth = 0; hash !== null; depth++) {
    const node = await readNode(io, hash)
    if (node.kind === 'leaf') return node.entries.find((entry) => entry.label === label)
    hash = node.children[digitAt(digits, depth)] ?? null
  }
  return undefined
}

/** Every entry of the tree, sorted by label. */
export async function listEntries(io: ObjectIo, root: TreeRoot): Promise<TreeEntry[]> {
  const out: TreeEntry[] = []
  const walk = async (hash: string): Promise<void> => {
    const node = await readNode(io, hash)
    if (node.kind === 'leaf') out.push(...node.entries)
    else await Promise.all(node.children.map((child) => (child === null ? undefined : walk(child))))
  }
  if (root !== null) await walk(root)
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
}

/**
 * Applies `changes` (label → new entry, or null to remove the series) and
 * returns the new root, writing only the nodes on the changed paths.
 */
export async function updateTree(
  io: ObjectIo,
  root: TreeRoot,
  changes: ReadonlyMap<string, TreeEntry | null>,
): Promise<TreeRoot> {
  const items = [...changes].map(([label, entry]) => ({ label, entry, digits: labelDigits(label) }))
  return update(io, root, items, 0)
}

interface Change {
  readonly label: string
  readonly entry: TreeEntry | null
  readonly digits: string
}

async function update(
  io: ObjectIo,
  hash: TreeRoot,
  changes: readonly Change[],
  depth: number,
): Promise<TreeRoot> {
  if (changes.length === 0) return hash
  const node: TreeNode = hash === null ? { kind: 'leaf', entries: [] } : await readNode(io, hash)
  if (node.kind === 'leaf') {
    const byLabel = new Map(node.entries.map((entry) => [entry.label, entry]))
    for (const change of changes) {
      if (change.entry === null) byLabel.delete(change.label)
      else byLabel.set(change.label, change.entry)
    }
    return buildNode(io, [...byLabel.values()], depth)
  }
  const groups = groupByDigit(changes, depth, (change) => change.digits)
  const children = await Promise.all(
    node.children.map((child, i) => update(io, child, groups[i] ?? [], depth + 1)),
  )
  const count = await countEntries(io, children)
  if (count <= LEAF_MAX) {
    // Shrunk below the split point: collapse into a leaf, so the shape stays a function of the labels.
    const entries = (await Promise.all(children.map((child) => listEntries(io, child)))).flat()
    return buildNode(io, entries, depth)
  }
  return writeNode(io, { kind: 'branch', count, children })
}

async function buildNode(io: ObjectIo, entries: readonly TreeEntry[], depth: number): Promise<TreeRoot> {
  if (entries.length === 0) return null
  if (entries.length <= LEAF_MAX) {
    const sorted = [...entries].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
    return writeNode(io, { kind: 'leaf', entries: sorted })
  }
  const groups = groupByDigit(entries, depth, (entry) => labelDigits(entry.label))
  const children = await Promise.all(
    Array.from({ length: FANOUT }, (_, i) => buildNode(io, groups[i] ?? [], depth + 1)),
  )
  return writeNode(io, { kind: 'branch', count: entries.length, children })
}

async function countEntries(io: ObjectIo, children: readonly TreeRoot[]): Promise<number> {
  let count = 0
  for (const child of children) {
    if (child === null) continue
    const node = await readNode(io, child)
    count += node.kind === 'leaf' ? node.entries.length : node.count
  }
  return count
}

function groupByDigit<T>(items: readonly T[], depth: number, digitsOf: (item: T) => string): T[][] {
  const groups: T[][] = []
  for (const item of items) {
    const digit = digitAt(digitsOf(item), depth)
    const group = groups[digit] ?? []
    group.push(item)
    groups[digit] = group
  }
  return groups
}

function labelDigits(label: string): string {
  return sha256Hex(new TextEncoder().encode(label))
}

function digitAt(digits: string, depth: number): number {
  if (depth >= digits.length)
    throw new VarveError('Integrity', 'The series tree is deeper than a SHA-256 allows.')
  return Number.parseInt(digits[depth]!, 16)
}

function writeNode(io: ObjectIo, node: TreeNode): Promise<string> {
  const json =
    node.kind === 'leaf'
      ? { kind: 'leaf', entries: node.entries.map((e) => [e.label, e.series, e.rows]) }
      : { kind: 'branch', count: node.count, children: node.children }
  return io.writeJson(json, node)
}

function readNode(io: ObjectIo, hash: string): Promise<TreeNode> {
  return io.readJson(hash, parseNode)
}

function parseNode(json: unknown, key: string): TreeNode {
  const raw = json as { kind?: unknown; entries?: unknown; count?: unknown; children?: unknown }
  if (raw?.kind === 'leaf' && Array.isArray(raw.entries)) {
    const entries = raw.entries.map((item: unknown) => {
      const [label, series, rows] = item as [unknown, unknown, unknown]
      if (typeof label !== 'string' || typeof series !== 'string' || typeof rows !== 'number')
        throw malformed(key)
      return { label, series, rows }
    })
    return { kind: 'leaf', entries }
  }
  if (
    raw?.kind === 'branch' &&
    typeof raw.count === 'number' &&
    Array.isArray(raw.children) &&
    raw.children.length === FANOUT
  ) {
    const children = raw.children.map((child: unknown) => {
      if (child !== null && typeof child !== 'string') throw malformed(key)
      return child
    })
    return { kind: 'branch', count: raw.count, children }
  }
  throw malformed(key)
}

function malformed(key: string): VarveError {
  return new VarveError('Integrity', `Tree node ${key} is malformed.`, { details: { key } })
}

/**
 * What a stored tree node points at: child nodes, and series indexes with their
 * labels (from a leaf; `labels[i]` names `series[i]`). For copies and gc.
 */
export function treeNodeLinks(
  json: unknown,
  key: string,
): { children: string[]; series: string[]; labels: string[] } {
  const node = parseNode(json, key)
  return node.kind === 'leaf'
    ? { children: [], series: node.entries.map((e) => e.series), labels: node.entries.map((e) => e.label) }
    : { children: node.children.filter((c): c is string => c !== null), series: [], labels: [] }
}
