import {
  createFaultyStore,
  createInstrumentedStore,
  createMemoryStore,
  Repo,
  Schema,
  type SyncProgress,
  VarveError,
} from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const day = (d: number) => `2020-01-${String(d).padStart(2, '0')}T00:00:00Z`

async function seeded() {
  const repo = await Repo.open(createMemoryStore())
  const c = await repo.createCollection('c', schema)
  await c.series('a').write({ timestamp: [1, 2, 3].map(day), value: [1, 2, 3] })
  await c.series('b').write({ timestamp: [1, 2].map(day), value: [10, 20] })
  return { repo, c }
}

async function snapshot(repo: Repo) {
  const out: Record<string, number[]> = {}
  for (const name of await repo.collections()) {
    const c = (await repo.collection(name))!
    for (const label of await c.labels())
      out[`${name}/${label}`] = [...((await c.series(label).read()).column('value') as Float64Array)]
  }
  return out
}

describe('push, pull and clone', () => {
  it('copies everything, then only what is new; up to date costs one listing per side', async () => {
    const { repo, c } = await seeded()
    const remoteStore = createInstrumentedStore(createMemoryStore())
    const progress: SyncProgress[] = []
    const first = await repo.push(remoteStore, { onProgress: (p) => progress.push(p) })
    expect(first.collections[0]).toMatchObject({ collection: 'c', revisions: 2, upToDate: false })
    expect(progress.at(-1)).toMatchObject({ phase: 'revisions', objectsDone: progress.at(-1)!.objectsTotal })
    const remote = await Repo.open(remoteStore)
    expect(await snapshot(remote)).toEqual(await snapshot(repo))
    expect((await (await remote.collection('c'))!.log()).map((r) => r.id)).toEqual(
      (await c.log()).map((r) => r.id),
    )

    await c.series('a').write({ timestamp: [day(4)], value: [4] })
    const second = await repo.push(remoteStore)
    expect(second.collections[0]).toMatchObject({ revisions: 1, upToDate: false })
    expect(second.collections[0]!.objects).toBeLessThanOrEqual(4)

    remoteStore.resetStats()
    const third = await repo.push(remoteStore)
    expect(third.collections[0]!.upToDate).toBe(true)
    const stats = remoteStore.stats()
    expect(stats.list.requests).toBe(1)
    expect(stats.put.requests + stats.create.requests).toBe(0)
  })

  it('pulls into a repository and clones to a new one', async () => {
    const { repo } = await seeded()
    const copy = await Repo.open(createMemoryStore())
    await copy.pull(repo)
    expect(await snapshot(copy)).toEqual(await snapshot(repo))
    const clone = await Repo.clone(repo, createMemoryStore())
    expect(await snapshot(clone)).toEqual(await snapshot(repo))
  })

  it('brings a diverged history as a second head', async () => {
    const { repo, c } = await seeded()
    const other = await Repo.clone(repo, createMemoryStore())
    await c.series('a').write({ timestamp: [day(5)], value: [5] })
    await (await other.collection('c'))!.series('b').write({ timestamp: [day(5)], value: [50] })
    const result = await other.pull(repo)
    expect(result.collections[0]!.heads).toHaveLength(2)
    expect(await (await other.collection('c'))!.heads()).toHaveLength(2)
  })

  it('refuses a schema mismatch before copying anything', async () => {
    const { repo } = await seeded()
    const remoteStore = createMemoryStore()
    const remote = await Repo.open(remoteStore)
    await remote.createCollection('c', new Schema({ timestamp: 'timestamp*', value: 'int64' }))
    const before: string[] = []
    for await (const key of remoteStore.list('')) before.push(key)
    await expect(repo.push(remoteStore)).rejects.toMatchObject({ code: 'SchemaMismatch' })
    const after: string[] = []
    for await (const key of remoteStore.list('')) after.push(key)
    expect(after).toEqual(before)
  })

  it('leaves a readable destination when interrupted, and a re-run completes it', async () => {
    const { repo, c } = await seeded()
    for (let i = 6; i < 16; i++) await c.series(`s${i}`).write({ timestamp: [day(i)], value: [i] })
    const target = createMemoryStore()
    let failures = 0
    for (let failAfter = 0; failAfter < 40; failAfter += 3) {
      const faulty = createFaultyStore(target, {
        faults: [{ ops: ['put', 'create'], skip: failAfter, error: 'Transient' }],
      })
      const error = await repo.push(faulty).then(
        () => undefined,
        (e: unknown) => e,
      )
      // Whatever was copied so far reads whole: no revision points at missing data.
      const partial = await Repo.open(target)
      const pc = await partial.collection('c')
      if (pc)
        for (const head of await pc.heads())
          for (const label of await pc.at(head.id).labels()) await pc.at(head.id).series(label).read()
      if (error === undefined) break
      expect(VarveError.is(error, 'Transient'), String(error)).toBe(true)
      failures++
    }
    expect(failures).toBeGreaterThan(3)
    await repo.push(target)
    expect(await snapshot(await Repo.open(target))).toEqual(await snapshot(repo))
  })

  it('pushes and pulls one collection', async () => {
    const { repo, c } = await seeded()
    await repo.createCollection('other', schema)
    const remoteStore = createMemoryStore()
    await c.push(remoteStore)
    const remote = await Repo.open(remoteStore)
    expect(await remote.collections()).toEqual(['c'])
    await (await remote.collection('c'))!.series('z').write({ timestamp: [day(1)], value: [9] })
    const pulled = await c.pull(remoteStore)
    expect(pulled.revisions).toBe(1)
    expect(await c.labels()).toEqual(['a', 'b', 'z'])
  })
})

describe('a long history', () => {
  it('arrives in a pack and its heads loose, all of it readable, and up to date after one listing per side', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection('c', schema)
    for (let d = 1; d <= 20; d++) await c.series(d % 2 ? 'a' : 'b').write({ timestamp: [day(d)], value: [d] })
    const side = await Repo.clone(repo.store, createMemoryStore())
    const diverged = (await side.collection('c'))!
    await diverged.series('a').write({ timestamp: [day(25)], value: [25] })
    await c.series('a').write({ timestamp: [day(21)], value: [21] })
    await repo.pull(side.store)

    const store = createInstrumentedStore(createMemoryStore())
    const progress: SyncProgress[] = []
    const result = await (await Repo.open(store)).pull(repo.store, { onProgress: (p) => progress.push(p) })
    expect(result.collections[0]).toMatchObject({ revisions: 22, upToDate: false })
    expect(progress.at(-1)).toMatchObject({
      objectsDone: progress.at(-1)!.objectsTotal,
      bytesDone: progress.at(-1)!.bytesTotal,
    })
    const keys = async (prefix: string) => {
      const out: string[] = []
      for await (const key of store.list(prefix)) out.push(key)
      return out
    }
    // The two heads loose, the 20 revisions before them in one pack.
    expect(await keys('revisions/')).toHaveLength(2)
    expect(await keys('packs/')).toHaveLength(1)
    const copy = (await (await Repo.open(store)).collection('c'))!
    expect((await copy.log()).map((r) => r.id)).toEqual((await c.log()).map((r) => r.id))
    expect((await copy.heads()).map((r) => r.id).sort()).toEqual((await c.heads()).map((r) => r.id).sort())
    expect(await snapshot(await Repo.open(store))).toEqual(await snapshot(repo))

    store.resetStats()
    const again = await (await Repo.open(store)).pull(repo.store)
    expect(again.collections[0]!.upToDate).toBe(true)
    expect(store.stats().list.requests).toBeLessThanOrEqual(2)
    expect(store.stats().get.requests).toBeLessThanOrEqual(2)
  })
})
