import { sha256Hex } from '../chunks/hash.ts'
import { encodeJson, parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Closed, IndexValueJson } from '../model/index-value.ts'
import type { Store } from '../store/store.ts'
import { compareHlc, type HlcTimestamp, type HybridLogicalClock } from './hlc.ts'
import {
  formatRevisionId,
  formatRevisionName,
  parseRevisionName,
  type RevisionKeyParts,
} from './revision-key.ts'
import type { TreeRoot } from './series-tree.ts'

/** A revision as one listing shows it: identity, time and parents, without reading the object. */
export interface Revision {
  /** `<hlc>-<writer>`: unique, sorts in hybrid-logical-clock order. */
  readonly id: string
  readonly parents: readonly string[]
  /** When it was made: the wall-clock part of its clock value. */
  readonly time: Date
  readonly hlc: HlcTimestamp
  readonly writer: string
  /** The object's key. */
  readonly key: string
}

/**
 * One operation on one series, as a revision records it: a write replaced the
 * rows between `first` and `last` (inclusive, full index keys) with the rows the
 * revision's state holds there; a delete removed a range of the first index column.
 */
export type SeriesOp =
  | {
      readonly label: string
      readonly op: 'write'
      readonly first: IndexValueJson[]
      readonly last: IndexValueJson[]
    }
  | {
      readonly label: string
      readonly op: 'delete'
      readonly start: IndexValueJson | null
      readonly stop: IndexValueJson | null
      readonly closed: Closed
    }

/** What a revision object holds. */
export interface RevisionBody {
  readonly id: string
  readonly parents: readonly string[]
  /** Root of the series tree: the collection's state after this revision. */
  readonly root: TreeRoot
  readonly message: string
  /** What the revision did to each series it changed, sorted by label: the operations a merge replays. */
  readonly changes: readonly SeriesOp[]
}

/**
 * The changelog of one collection: immutable revision objects under
 * `revisions/<collection id>/`, written create-only, never overwritten. Their
 * keys carry id and parents (see revision-key.ts), so one listing yields the
 * whole DAG and its heads.
 */
export class Changelog {
  readonly #store: Store
  readonly #prefix: string
  readonly #parsedKeys = new Map<string, Revision>()
  readonly #bodies = new Map<string, RevisionBody>()

  constructor(store: Store, collectionId: string) {
    this.#store = store
    this.#prefix = `revisions/${collectionId}/`
  }

  /** Every revision, oldest first (by clock). One listing. */
  async list(): Promise<Revision[]> {
    const out: Revision[] = []
    for await (const key of this.#store.list(this.#prefix)) out.push(this.#parse(key))
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  async read(revision: Revision): Promise<RevisionBody> {
    const cached = this.#bodies.get(revision.id)
    if (cached) return cached
    const bytes = await this.#store.get(revision.key)
    if (bytes === undefined) {
      throw new VarveError(
        'NotFound',
        `Revision ${revision.id} disappeared from ${this.#store.description} while being read.`,
        {
          details: { key: revision.key },
        },
      )
    }
    const body = parseBody(bytes, revision)
    this.#bodies.set(revision.id, body)
    return body
  }

  /**
   * Writes a new revision on top of `parents`. Its clock value is later than
   * every parent's, whatever this machine's wall clock says.
   */
  async commit(
    clock: HybridLogicalClock,
    writer: string,
    parents: readonly Revision[],
    root: TreeRoot,
    details: { message: string; changes: readonly SeriesOp[] },
  ): Promise<Revision> {
    const hlc = clock.tick(...parents.map((p) => p.hlc))
    const id = formatRevisionId(hlc, writer)
    const parentIds = parents.map((p) => p.id).sort()
    const body: RevisionBody = {
      id,
      parents: parentIds,
      root,
      message: details.message,
      changes: [...details.changes].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
    }
    const bytes = encodeJson({ kind: 'revision', ...body })
    const name = formatRevisionName({ id, contentHash: sha256Hex(bytes), parents: parentIds })
    const key = this.#prefix + name
    await createWithRetry(this.#store, key, bytes)
    this.#bodies.set(id, body)
    return this.#parse(key)
  }

  #parse(key: string): Revision {
    const known = this.#parsedKeys.get(key)
    if (known) return known
    const parts: RevisionKeyParts = parseRevisionName(key.slice(this.#prefix.length))
    const revision: Revision = {
      id: parts.id,
      parents: parts.parents,
      time: new Date(parts.hlc.wallMs),
      hlc: parts.hlc,
      writer: parts.writer,
      key,
    }
    this.#parsedKeys.set(key, revision)
    return revision
  }
}

/** Revisions no other revision names as a parent, in id order. */
export function headsOf(revisions: readonly Revision[]): Revision[] {
  const parents = new Set(revisions.flatMap((r) => r.parents))
  return revisions.filter((r) => !parents.has(r.id))
}

/** The head reads follow while heads diverge: the latest by clock, the same on every machine. */
export function latestHead(revisions: readonly Revision[]): Revision | undefined {
  const heads = headsOf(revisions)
  return heads.reduce<Revision | undefined>(
    (best, r) =>
      best === undefined ||
      compareHlc(r.hlc, best.hlc) > 0 ||
      (compareHlc(r.hlc, best.hlc) === 0 && r.id > best.id)
        ? r
        : best,
    undefined,
  )
}

/** `revision` and every revision it descends from. */
export function ancestry(revisions: readonly Revision[], revision: Revision): Revision[] {
  const byId = new Map(revisions.map((r) => [r.id, r]))
  const seen = new Set<string>()
  const stack = [revision.id]
  while (stack.length > 0) {
    const id = stack.pop()!
    if (seen.has(id)) continue
    seen.add(id)
    for (const parent of byId.get(id)?.parents ?? []) stack.push(parent)
  }
  return revisions.filter((r) => seen.has(r.id))
}

async function createWithRetry(store: Store, key: string, bytes: Uint8Array): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.create(key, bytes)
      return
    } catch (error) {
      const lostAck = VarveError.is(error, 'AlreadyExists') || VarveError.is(error, 'PreconditionFailed')
      // A retry after a lost acknowledgement finds our own object: that is success.
      if (lostAck && attempt > 1 && sameBytes(await store.get(key), bytes)) return
      if (!VarveError.is(error, 'Transient') || attempt >= 4) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt * (0.5 + Math.random())))
    }
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i])
}

function parseBody(bytes: Uint8Array, revision: Revision): RevisionBody {
  const name = revision.key.slice(revision.key.lastIndexOf('/') + 1)
  if (!name.includes(`-${sha256Hex(bytes).slice(0, 12)}`)) {
    throw new VarveError(
      'Integrity',
      `Revision ${revision.key} is corrupted: its bytes do not match the hash in its key.`,
      {
        details: { key: revision.key },
      },
    )
  }
  const raw = parseJson(bytes, revision.key) as Partial<RevisionBody> & { kind?: unknown }
  if (
    raw?.kind !== 'revision' ||
    raw.id !== revision.id ||
    !Array.isArray(raw.parents) ||
    raw.parents.join() !== [...revision.parents].join() ||
    (raw.root !== null && typeof raw.root !== 'string') ||
    typeof raw.message !== 'string' ||
    !Array.isArray(raw.changes)
  ) {
    throw new VarveError('Integrity', `Revision ${revision.key} is malformed or does not match its key.`, {
      details: { key: revision.key },
    })
  }
  return {
    id: raw.id,
    parents: raw.parents,
    root: raw.root ?? null,
    message: raw.message,
    changes: raw.changes,
  }
}
