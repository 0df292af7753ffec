import { createHash } from 'node:crypto'
import { createMemoryStore, type GcOptions, Repo, Schema, type Store } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const day = (d: number) => new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString()
const HOUR = 3_600_000
const T0 = Date.UTC(2026, 10, 23, 12)

/** Options whose clock reads `t`: the grace period passes without waiting. */
const at = (t: number): GcOptions => ({ now: () => t })

async function allKeys(store: Store): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.list('')) keys.push(key)
  return keys
}

async function contents(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const key of await allKeys(store)) out.set(key, Buffer.from((await store.get(key))!).toString('hex'))
  return out
}

/** Every row of every series at every revision of every collection, read through an uncached repository. */
async function history(store: Store): Promise<Record<string, unknown>> {
  const repo = await Repo.open(store, { cache: { memoryBytes: 0 } })
  const out: Record<string, unknown> = {}
  for (const name of await repo.collections()) {
    const collection = (await repo.collection(name))!
    for (const revision of await collection.log()) {
      const view = collection.at(revision.id)
      for (const label of await view.labels()) {
        const frame = await view.series(label).read()
        out[`${name}@${revision.id}/${label}`] = collection.schema.columns.map((c) => [
          ...frame.column(c.name),
        ])
      }
    }
  }
  return out
}

/** Stores `bytes` as a content-addressed object no revision references, as a crashed write leaves it. */
async function putOrphan(store: Store, bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
  const hash = createHash('sha256').update(data).digest('hex')
  const key = `objects/${hash.slice(0, 2)}/${hash.slice(2)}`
  await store.put(key, data)
  return key
}

async function gcRecords(store: Store): Promise<string[]> {
  return (await allKeys(store)).filter((key) => key.startsWith('gc/'))
}

async function seeded() {
  const store = createMemoryStore()
  const repo = await Repo.open(store)
  const c = await repo.createCollection('c', schema)
  await c.series('a').write({ timestamp: [1, 2, 3].map(day), value: [1, 2, 3] })
  await c.write({
    b: { timestamp: [1, 2].map(day), value: [10, 20] },
    a: { timestamp: [day(2)], value: [22] },
  })
  await c.series('a').write({ timestamp: [1, 2, 3, 4].map(day), value: [5, 6, 7, 8] })
  await c.series('b').delete({ start: day(2) })
  const d = await repo.createCollection('d', schema)
  await d.series('x').write({ timestamp: [day(9)], value: [9] })
  return { store, repo, c, d }
}

describe('repo.gc', () => {
  it('records a crashed write, keeps it through the grace period, then deletes it; history is intact', async () => {
    const { store, repo } = await seeded()
    const before = await history(store)
    const chunk = await putOrphan(store, new Uint8Array([86, 82, 86, 67, 1, 2, 3, 4]))
    const leaf = await putOrphan(store, `{"kind":"leaf","entries":[["a","${'0'.repeat(64)}",1]]}`)

    const first = await repo.gc(at(T0))
    expect(first).toMatchObject({ dryRun: false, deleted: [], candidates: 2 })
    expect(first.scannedObjects).toBe(first.reachableObjects + 2)
    expect(await gcRecords(store)).toHaveLength(1)

    const early = await repo.gc(at(T0 + HOUR - 1))
    expect(early).toMatchObject({ deleted: [], candidates: 2 })
    expect(await store.get(chunk)).toBeDefined()
    expect(await gcRecords(store)).toHaveLength(1)

    const late = await repo.gc(at(T0 + HOUR))
    expect(late).toMatchObject({ deleted: [chunk, leaf].sort(), candidates: 0 })
    expect(await store.get(chunk)).toBeUndefined()
    expect(await store.get(leaf)).toBeUndefined()
    expect(await gcRecords(store)).toEqual([])
    expect(await history(store)).toEqual(before)
    expect(Object.keys(before)).toHaveLength(8)
  })

  it('never deletes what only old revisions reference, loose or packed', async () => {
    const { store, repo, c } = await seeded()
    const history0 = await history(store)
    for (const squash of [false, true]) {
      // Squashing moves every revision but the head into a pack.
      if (squash) expect(await c.squash()).toBe(3)
      const before = await contents(store)
      for (const t of [T0, T0 + 2 * HOUR, T0 + 48 * HOUR]) {
        const result = await repo.gc({ ...at(t), gracePeriodMs: 0 })
        expect(result).toMatchObject({ deleted: [], candidates: 0, keptRevisions: 5 })
        expect(result.reachableObjects).toBe(result.scannedObjects)
      }
      expect(await contents(store)).toEqual(before)
      expect(await history(store)).toEqual(history0)
    }
    expect((await allKeys(store)).filter((k) => k.startsWith('packs/'))).toHaveLength(1)
  })

  it("deletes a dropped collection's objects and orphan revisions, keeping what a live one shares", async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store)
    const objects = async () => (await allKeys(store)).filter((k) => k.startsWith('objects/'))
    const rows = { timestamp: [1, 2, 3].map(day), value: [1, 2, 3] }
    const kept = await repo.createCollection('kept', schema)
    await kept.series('shared').write(rows)
    const keptObjects = await objects()
    const keptHistory = await history(store)
    const dropped = await repo.createCollection('dropped', schema)
    await dropped.series('shared').write(rows)
    // Same rows, same state: the dropped collection's first revision shares every object.
    expect(await objects()).toEqual(keptObjects)
    await dropped.series('own').write({ timestamp: [day(5)], value: [5] })
    await dropped.series('own').write({ timestamp: [day(6)], value: [6] })
    expect(await dropped.squash()).toBe(2)
    const droppedPacks = (await allKeys(store)).filter((k) => k.startsWith('packs/'))
    expect(droppedPacks).toHaveLength(1)
    const half = await repo.createCollection('half', schema)
    await half.series('h').write({ timestamp: [day(7)], value: [7] })
    const halfId = JSON.parse(Buffer.from((await store.get('collections/half'))!).toString()).id
    const halfRevisions = (await allKeys(store)).filter((k) => k.startsWith(`revisions/${halfId}/`))
    expect(halfRevisions).toHaveLength(1)

    await repo.dropCollection('dropped')
    // A drop takes the loose and packed history with it; the objects wait for gc.
    expect((await allKeys(store)).filter((k) => k.startsWith('packs/'))).toEqual([])
    // A drop interrupted after the descriptor went: its revisions are orphans.
    await store.delete(['collections/half'])
    const first = await repo.gc(at(T0))
    expect(first.deleted).toEqual([])
    const late = await repo.gc(at(T0 + HOUR))
    const total = (await allKeys(store)).length
    expect(late.deleted.length).toBe(first.candidates)
    expect(late.deleted.filter((k) => k.startsWith('revisions/'))).toEqual(halfRevisions)
    expect(late.deleted.filter((k) => k.startsWith('objects/'))).toHaveLength(late.deleted.length - 1)

    expect(await objects()).toEqual(keptObjects)
    expect(await allKeys(store)).toEqual(
      expect.arrayContaining(['varve.json', 'collections/kept', ...keptObjects]),
    )
    expect(total).toBe(keptObjects.length + 3)
    expect(await history(store)).toEqual(keptHistory)
    const after = await repo.gc({ ...at(T0 + 2 * HOUR), dryRun: true })
    expect(after).toMatchObject({ deleted: [], candidates: 0, reachableObjects: keptObjects.length })
  })

  it('dry runs write and delete nothing, and report what a real run would do', async () => {
    const { store, repo } = await seeded()
    const garbage = await putOrphan(store, 'crashed')
    const pristine = await contents(store)
    const dry = await repo.gc({ ...at(T0), dryRun: true })
    expect(dry).toMatchObject({ dryRun: true, deleted: [], candidates: 1 })
    expect(await contents(store)).toEqual(pristine)

    await repo.gc(at(T0))
    const recorded = await contents(store)
    const second = await putOrphan(store, 'crashed again')
    const withSecond = await contents(store)
    const preview = await repo.gc({ ...at(T0 + HOUR), dryRun: true })
    expect(preview).toMatchObject({ deleted: [garbage], candidates: 1 })
    expect(await contents(store)).toEqual(withSecond)
    expect([...recorded.keys()].filter((k) => k.startsWith('gc/'))).toHaveLength(1)

    const real = await repo.gc(at(T0 + HOUR))
    expect(real).toMatchObject({ deleted: [garbage], candidates: 1 })
    expect(await store.get(second)).toBeDefined()
  })

  it('keeps an object that a revision came to reference between two runs', async () => {
    const rows = { timestamp: [1, 2, 3].map(day), value: [1.5, 2.5, 3.5] }
    const base = { timestamp: [day(1)], value: [0] }
    // The same writes in a scratch repository give the objects a crashed write would have left.
    const scratch = createMemoryStore()
    const scratchRepo = await Repo.open(scratch)
    const sc = await scratchRepo.createCollection('c', schema)
    await sc.series('base').write(base)
    await sc.series('s').write(rows)

    const store = createMemoryStore()
    const repo = await Repo.open(store)
    const c = await repo.createCollection('c', schema)
    await c.series('base').write(base)
    const present = new Set(await allKeys(store))
    const crashed: string[] = []
    for (const key of await allKeys(scratch)) {
      if (!key.startsWith('objects/') || present.has(key)) continue
      await store.put(key, (await scratch.get(key))!)
      crashed.push(key)
    }
    expect(crashed.length).toBeGreaterThanOrEqual(3)

    expect(await repo.gc(at(T0))).toMatchObject({ deleted: [], candidates: crashed.length })
    await c.series('s').write(rows)
    expect((await allKeys(store)).filter((k) => k.startsWith('objects/') && !present.has(k)).sort()).toEqual(
      crashed.sort(),
    )
    const later = await repo.gc(at(T0 + 3 * HOUR))
    expect(later).toMatchObject({ deleted: [], candidates: 0 })
    for (const key of crashed) expect(await store.get(key)).toBeDefined()
    const view = (await (await Repo.open(store, { cache: { memoryBytes: 0 } })).collection('c'))!
    expect([...(await view.series('s').read()).column('value')]).toEqual(rows.value)
  })

  it('loses nothing to writers and squashes running during gc', async () => {
    const { store, repo, c, d } = await seeded()
    const garbage = await Promise.all([1, 2, 3].map((i) => putOrphan(store, `crashed ${i}`)))
    await repo.gc(at(T0))
    const expected: Record<string, number[]> = {}
    const writes = Array.from({ length: 24 }, async (_, i) => {
      const collection = i % 2 === 0 ? c : d
      const label = `w${i % 6}`
      // Disjoint day ranges, so the result does not depend on the order the commits land in.
      await collection
        .series(label)
        .write({ timestamp: [day(20 + 2 * i), day(21 + 2 * i)], value: [i, i + 0.5] })
      const byDay = expected[`${collection.name}/${label}`] ?? []
      byDay[20 + 2 * i] = i
      byDay[21 + 2 * i] = i + 0.5
      expected[`${collection.name}/${label}`] = byDay
    })
    const squashes = [c, d, c].map(async (collection, i) => {
      for (let tick = 0; tick < 5 * (i + 1); tick++) await Promise.resolve()
      return collection.squash()
    })
    const [during] = await Promise.all([repo.gc(at(T0 + HOUR)), ...writes, ...squashes])
    expect([...during!.deleted].sort()).toEqual(garbage.sort())

    const after = await repo.gc(at(T0 + 3 * HOUR))
    expect(after.deleted).toEqual([])
    const final = await repo.gc(at(T0 + 6 * HOUR))
    expect(final).toMatchObject({ deleted: [], candidates: 0 })
    expect(final.reachableObjects).toBe(final.scannedObjects)

    const fresh = await Repo.open(store, { cache: { memoryBytes: 0 } })
    for (const [key, byDay] of Object.entries(expected)) {
      const [name, label] = key.split('/') as [string, string]
      const frame = await (await fresh.collection(name))!.series(label).read({ start: day(20) })
      expect([...frame.column('value')]).toEqual(byDay.filter((v) => v !== undefined))
    }
    expect(Object.keys(expected)).toHaveLength(6)
    expect((await allKeys(store)).some((k) => k.startsWith('packs/'))).toBe(true)
    expect(Object.keys(await history(store)).length).toBeGreaterThan(8 + 24)
  })

  it('leaves keys that are not garbage alone and stops on a missing reachable object', async () => {
    const { store, repo } = await seeded()
    const foreign = ['gc/notes.txt', 'other/thing', 'objects/zz/not-a-hash', 'revisions/stray', 'README']
    for (const key of foreign) await store.put(key, new TextEncoder().encode('mine'))
    const orphan = await putOrphan(store, 'crashed')
    await repo.gc(at(T0))
    const result = await repo.gc({ ...at(T0 + HOUR), gracePeriodMs: HOUR })
    expect(result.deleted).toEqual([orphan])
    for (const key of foreign) expect(await store.get(key)).toBeDefined()

    const second = await putOrphan(store, 'crashed again')
    await repo.gc(at(T0 + 2 * HOUR))
    for (const key of await allKeys(store)) {
      if (!key.startsWith('objects/') || key === second) continue
      const text = Buffer.from((await store.get(key))!).toString()
      if (text.startsWith('{"kind":"series"')) {
        await store.delete([key])
        break
      }
    }
    await expect(repo.gc(at(T0 + 5 * HOUR))).rejects.toMatchObject({ code: 'NotFound' })
    expect(await store.get(second)).toBeDefined()
  })

  it('passes over a revision dropped during the run, and stops on one gone from a live collection', async () => {
    const { store } = await seeded()
    const revisionOf = async (name: string) => {
      const id = JSON.parse(Buffer.from((await store.get(`collections/${name}`))!).toString()).id
      return (await allKeys(store)).find((k) => k.startsWith(`revisions/${id}/`))!
    }
    // A store on which one revision read finds the object gone, after `vanish` ran.
    const vanishing = (target: string, vanish: () => Promise<void>): Store => ({
      ...store,
      get: async (key) => {
        if (key !== target) return store.get(key)
        await vanish()
        return undefined
      },
    })
    const live = await Repo.open(vanishing(await revisionOf('c'), async () => {}))
    await expect(live.gc()).rejects.toMatchObject({ code: 'NotFound' })

    const dTarget = await revisionOf('d')
    const dropping = await Repo.open(vanishing(dTarget, () => store.delete(['collections/d', dTarget])))
    const result = await dropping.gc(at(T0))
    expect(result.keptRevisions).toBe(5)
    expect(result.candidates).toBeGreaterThan(0)
    expect(await store.get('collections/c')).toBeDefined()
  })

  it('refuses a malformed gc record, naming it', async () => {
    const { store, repo } = await seeded()
    await store.put('gc/20261123T120000.000Z-0badbeef', new TextEncoder().encode('{"kind":"x"}'))
    await expect(repo.gc()).rejects.toMatchObject({
      code: 'Integrity',
      message: expect.stringContaining('gc/20261123T120000.000Z-0badbeef'),
    })
  })

  it('validates its options before touching anything', async () => {
    const { store, repo } = await seeded()
    await putOrphan(store, 'crashed')
    const before = await contents(store)
    for (const options of [
      { gracePeriodMs: -1 },
      { gracePeriodMs: 1.5 },
      { gracePeriodMs: '1h' },
      { dryRun: 'yes' },
      { now: 5 },
      { now: () => Number.NaN },
      { grace: 1 },
      null,
    ]) {
      await expect(repo.gc(options as GcOptions)).rejects.toMatchObject({ code: 'InvalidArgument' })
    }
    expect(await contents(store)).toEqual(before)
  })
})
