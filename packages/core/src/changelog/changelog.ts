import { sha256Hex } from '../chunks/hash.ts'
import { encodeJson, parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Closed, IndexValueJson } from '../model/index-value.ts'
import type { CreateEntry, Store } from '../store/store.ts'
import { compareHlc, type HlcTimestamp, type HybridLogicalClock } from './hlc.ts'
import { decodePack, encodePack, type PackedRevision } from './packs.ts'
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
  /** The object's key (its last segment is the revision's name). */
  readonly key: string
  /** Set when the revision lives in a pack (see packs.ts) rather than in its own object. */
  readonly pack?: string
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

/** Past this many loose revisions, a commit packs the settled part of the history (see `squash`). */
export const AUTO_SQUASH_AT = 64

/**
 * The changelog of one collection: immutable revision objects under
 * `revisions/<collection id>/`, written create-only, never overwritten. Their
 * keys carry id and parents (see revision-key.ts), so one listing yields the
 * DAG and its heads. History every head shares is moved into packs
 * (`packs/<collection id>/`) so that the listing stays short however long the
 * history grows; heads are never packed.
 */
export class Changelog {
  readonly #store: Store
  readonly #prefix: string
  readonly #packPrefix: string
  readonly #parsedKeys = new Map<string, Revision>()
  readonly #bodies = new Map<string, RevisionBody>()
  readonly #packs = new Map<string, readonly PackedRevision[]>()
  /** The bytes of the revisions this changelog committed last, so a squash packs them without reading them back. */
  readonly #written = new Map<string, Uint8Array>()

  constructor(store: Store, collectionId: string) {
    this.#store = store
    this.#prefix = `revisions/${collectionId}/`
    this.#packPrefix = `packs/${collectionId}/`
  }

  /** The loose revisions, oldest first (by clock): every head is among them. One listing. */
  async listLoose(): Promise<Revision[]> {
    const out: Revision[] = []
    for await (const key of this.#store.list(this.#prefix)) out.push(this.#parse(key))
    return out.sort(byId)
  }

  /** Every revision, loose and packed, oldest first. One listing of each prefix, plus packs not read before. */
  async list(): Promise<Revision[]> {
    // Loose first, packs second: a squash writes its pack before deleting the loose
    // objects, so a revision moved meanwhile is seen in one listing or the other.
    const loose = await this.listLoose()
    const seen = new Set(loose.map((r) => r.id))
    const out = [...loose]
    for (const [pack, revisions] of await this.#loadPacks()) {
      for (const { name } of revisions) {
        const revision = this.#parse(this.#prefix + name, pack)
        if (!seen.has(revision.id)) {
          seen.add(revision.id)
          out.push(revision)
        }
      }
    }
    return out.sort(byId)
  }

  /** The exact bytes of a revision object (for copies). */
  async bytes(revision: Revision): Promise<Uint8Array> {
    const written = this.#written.get(revision.key)
    if (written) return written.slice()
    if (revision.pack === undefined) {
      const bytes = await this.#store.get(revision.key)
      if (bytes !== undefined) return bytes
    }
    const name = revision.key.slice(this.#prefix.length)
    // Listed in a pack: read that pack (once per Changelog) rather than list every pack again.
    if (revision.pack !== undefined) {
      const found = (await this.#loadPack(revision.pack)).find((r) => r.name === name)
      if (found) return found.bytes
    }
    // Packed since it was listed: look in every pack.
    for (const [, revisions] of await this.#loadPacks()) {
      const found = revisions.find((r) => r.name === name)
      if (found) return found.bytes
    }
    throw new VarveError('NotFound', `Revision ${revision.id} is missing from ${this.#store.description}.`, {
      details: { key: revision.key },
    })
  }

  /**
   * Moves the revisions every head descends from (except the heads) into one
   * pack, then deletes their loose objects. Nothing is lost: reads of the past
   * find them in the pack. Safe with concurrent readers, writers and squashes.
   * Returns how many revisions were packed.
   */
  async squash(): Promise<number> {
    const loose = await this.listLoose()
    const heads = headsOf(loose)
    if (heads.length === 0) return 0
    const ancestrySets = heads.map((h) => new Set(ancestry(loose, h).map((r) => r.id)))
    const headIds = new Set(heads.map((h) => h.id))
    const settled = loose.filter((r) => !headIds.has(r.id) && ancestrySets.every((set) => set.has(r.id)))
    if (settled.length === 0) return 0
    const packed = await Promise.all(
      settled.map(async (r) => ({ name: r.key.slice(this.#prefix.length), bytes: await this.bytes(r) })),
    )
    const { bytes, suffix } = encodePack(packed)
    await this.#store.put(this.#packPrefix + suffix, bytes)
    this.#packs.set(this.#packPrefix + suffix, packed)
    const keys = settled.map((r) => r.key)
    for (let i = 0; i < keys.length; i += 1000) await this.#store.delete(keys.slice(i, i + 1000))
    return settled.length
  }

  async read(revision: Revision): Promise<RevisionBody> {
    const cached = this.#bodies.get(revision.id)
    if (cached) return cached
    const bytes = await this.bytes(revision)
    const body = parseBody(bytes, revision)
    this.#bodies.set(revision.id, body)
    return body
  }

  /**
   * Writes a new revision on top of `parents`. Its clock value is later than
   * every parent's, whatever this machine's wall clock says. `objects` (the
   * data the revision references, not yet written) land first, durable before
   * the revision becomes visible: in one `createInOrder` of two levels where
   * the store has it (the fs store then writes and flushes all the files at
   * once and links the revision last), else as puts at once and then the
   * revision's create.
   */
  async commit(
    clock: HybridLogicalClock,
    writer: string,
    parents: readonly Revision[],
    root: TreeRoot,
    details: { message: string; changes: readonly SeriesOp[] },
    objects: readonly CreateEntry[] = [],
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
    if (objects.length > 0 && this.#store.createInOrder) {
      const landed = await this.#store.createInOrder([objects, [[key, bytes]]])
      // The key names the revision's content hash: an object already under it is ours or corrupt.
      if (landed[1]?.[0] !== true && !sameBytes(await this.#store.get(key), bytes)) throw revisionTaken(key)
    } else {
      await Promise.all(objects.map(([objectKey, data]) => this.#put(objectKey, data)))
      await createWithRetry(this.#store, key, bytes)
    }
    this.#bodies.set(id, body)
    this.#written.set(key, bytes)
    // Enough for an automatic squash (it packs at most the loose revisions past AUTO_SQUASH_AT).
    if (this.#written.size > 2 * AUTO_SQUASH_AT) this.#written.delete(this.#written.keys().next().value!)
    return this.#parse(key)
  }

  async #put(key: string, data: CreateEntry[1]): Promise<void> {
    await this.#store.put(key, typeof data === 'function' ? await data() : data)
  }

  async #loadPacks(): Promise<[string, readonly PackedRevision[]][]> {
    const keys: string[] = []
    for await (const key of this.#store.list(this.#packPrefix)) keys.push(key)
    return Promise.all(
      keys.map(async (key): Promise<[string, readonly PackedRevision[]]> => [key, await this.#loadPack(key)]),
    )
  }

  async #loadPack(key: string): Promise<readonly PackedRevision[]> {
    const known = this.#packs.get(key)
    if (known) return known
    const bytes = await this.#store.get(key)
    // A pack that vanished since the listing (its collection was dropped) holds nothing to read.
    const revisions = bytes === undefined ? [] : decodePack(bytes, key)
    this.#packs.set(key, revisions)
    return revisions
  }

  #parse(key: string, pack?: string): Revision {
    const known = this.#parsedKeys.get(key)
    if (known && (pack === undefined || known.pack === pack)) return known
    const parts: RevisionKeyParts = parseRevisionName(key.slice(this.#prefix.length))
    const revision: Revision = {
      id: parts.id,
      parents: parts.parents,
      time: new Date(parts.hlc.wallMs),
      hlc: parts.hlc,
      writer: parts.writer,
      key,
      ...(pack === undefined ? {} : { pack }),
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

function revisionTaken(key: string): VarveError {
  return new VarveError(
    'Integrity',
    `Revision ${key} already exists with other bytes than the ones its name hashes: the store holds a corrupted revision. Check the store, then write again.`,
    { details: { key } },
  )
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

function byId(a: Revision, b: Revision): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
