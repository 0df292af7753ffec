import { createInstrumentedStore, createMemoryStore, Repo, Schema } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ t: 'int64*', v: 'float64' })

async function keysUnder(store: ReturnType<typeof createMemoryStore>, prefix: string) {
  const out: string[] = []
  for await (const key of store.list(prefix)) out.push(key)
  return out
}

describe('squash and packed history', () => {
  it('packs settled history by itself, keeps every revision readable, and keeps listings short', async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store)
    const c = await repo.createCollection('c', schema)
    for (let i = 0; i < 300; i++) await c.series('s').write({ t: [BigInt(i)], v: [i] })
    const loose = await keysUnder(store, 'revisions/')
    expect(loose.length).toBeLessThanOrEqual(64)
    expect((await keysUnder(store, 'packs/')).length).toBeGreaterThan(0)
    const log = await c.log()
    expect(log).toHaveLength(300)
    expect(log.map((r) => r.id)).toEqual([...log.map((r) => r.id)].sort())
    for (const i of [0, 1, 150, 299]) {
      const past = await c.at(log[i]!.id).series('s').read()
      expect(past.length).toBe(i + 1)
    }
    // A fresh process reads the latest with one short listing.
    const counted = createInstrumentedStore(store)
    const fresh = (await (await Repo.open(counted)).collection('c'))!
    counted.resetStats()
    expect((await fresh.series('s').read()).length).toBe(300)
    expect(counted.stats().list.keys).toBeLessThanOrEqual(64)
    expect(counted.stats().list.requests).toBe(1)
  })

  it('never packs a head, so diverged heads still merge', async () => {
    const store = createMemoryStore()
    const one = await Repo.open(store)
    const c1 = await one.createCollection('c', schema)
    for (let i = 0; i < 5; i++) await c1.series('s').write({ t: [BigInt(i)], v: [i] })
    const c2 = (await (await Repo.open(store)).collection('c'))!
    await Promise.all([c1.series('a').write({ t: [1n], v: [1] }), c2.series('b').write({ t: [1n], v: [2] })])
    const heads = await c1.heads()
    expect(heads).toHaveLength(2)
    expect(await c1.squash()).toBe(5)
    expect((await c1.heads()).map((h) => h.id)).toEqual(heads.map((h) => h.id))
    await c1.merge()
    expect(await c1.labels()).toEqual(['a', 'b', 's'])
    expect(await c1.squash()).toBe(2)
    expect(await c1.log()).toHaveLength(8)
  })

  it('copies packed history to another store, and an up-to-date pull stays one listing per side', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection('c', schema)
    for (let i = 0; i < 20; i++) await c.series('s').write({ t: [BigInt(i)], v: [i] })
    await c.squash()
    const target = createInstrumentedStore(createMemoryStore())
    await repo.push(target)
    const copy = (await (await Repo.open(target)).collection('c'))!
    expect((await copy.log()).map((r) => r.id)).toEqual((await c.log()).map((r) => r.id))
    expect(
      (
        await copy
          .at((await c.log())[3]!.id)
          .series('s')
          .read()
      ).length,
    ).toBe(4)
    target.resetStats()
    const again = await repo.push(target)
    expect(again.collections[0]!.upToDate).toBe(true)
    expect(target.stats().list.requests).toBe(1)
  })
  it('lists packs a bounded number of times when copying packed history', async () => {
    const inner = createMemoryStore()
    const source = createInstrumentedStore(inner)
    const c = await (await Repo.open(source)).createCollection('c', schema)
    for (let i = 0; i < 150; i++) await c.series('s').write({ t: [BigInt(i)], v: [i] })
    expect((await keysUnder(inner, 'packs/')).length).toBeGreaterThan(0)
    const fresh = await Repo.open(source)
    source.resetStats()
    await fresh.push(createMemoryStore())
    // The quick check lists the loose revisions, the full list both prefixes: no listing per packed revision.
    expect(source.stats().list.requests).toBeLessThanOrEqual(4)
  })
  it('a pull back of history packed on this side only is up to date, and progress never passes its total', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection('c', schema)
    for (let i = 0; i < 20; i++) await c.series('s').write({ t: [BigInt(i)], v: [i] })
    const progress: { bytesDone: number; bytesTotal: number }[] = []
    const other = createMemoryStore()
    await c.push(other, { onProgress: (p) => progress.push(p) })
    expect(progress.length).toBeGreaterThan(20)
    for (const p of progress) expect(p.bytesDone).toBeLessThanOrEqual(p.bytesTotal)
    expect(await c.squash()).toBe(19)
    const back = await c.pull(other)
    expect(back).toMatchObject({ revisions: 0, objects: 0, upToDate: true })
  })
})
