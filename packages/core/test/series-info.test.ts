import {
  type Collection,
  createInstrumentedStore,
  createMemoryStore,
  publish,
  Repo,
  replicate,
  Schema,
  type Series,
  type Store,
} from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ t: 'int64*', v: 'float64' })
const layout = { pageRows: 100, maxSegmentRows: 1000 }

function rows(from: number, to: number) {
  const t = BigInt64Array.from({ length: to - from }, (_, i) => BigInt(from + i))
  return { t, v: Float64Array.from(t, (x) => Math.sin(Number(x))) }
}

/** A store that remembers the size of every chunk (binary `VRVC` object) fetched whole (by get or readInto). */
function chunkRecorder(inner: Store): { store: Store; chunks: Map<string, number> } {
  const chunks = new Map<string, number>()
  const record = (key: string, bytes: Uint8Array) => {
    if (new TextDecoder().decode(bytes.subarray(0, 4)) === 'VRVC') chunks.set(key, bytes.length)
  }
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'get') {
        return async (key: string) => {
          const bytes = await target.get(key)
          if (bytes !== undefined) record(key, bytes)
          return bytes
        }
      }
      if (prop === 'readInto' && target.readInto !== undefined) {
        return async (key: string, into: Uint8Array) => {
          const count = await target.readInto!(key, into)
          if (count !== undefined) record(key, into.subarray(0, count))
          return count
        }
      }
      const value = Reflect.get(target, prop)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { store, chunks }
}

/** What a full read says: rows, first and last index values, and the bytes of the chunks it fetched. */
async function truth(store: Store, collection: string, label: string, at?: string) {
  const recorder = chunkRecorder(store)
  const repo = await Repo.open(recorder.store, { cache: { memoryBytes: 0 } })
  const frame = await (await repo.collection(collection))!.series(label).read(at === undefined ? {} : { at })
  const t = frame.column('t') as BigInt64Array
  return {
    rows: frame.length,
    storedBytes: [...recorder.chunks.values()].reduce((n, b) => n + b, 0),
    first: t[0],
    last: t.at(-1),
  }
}

async function setup(): Promise<{ store: Store; repo: Repo; collection: Collection; series: Series }> {
  const store = createMemoryStore()
  const repo = await Repo.open(store, { layout })
  const collection = await repo.createCollection('c', schema)
  return { store, repo, collection, series: collection.series('s') }
}

describe('series.info', () => {
  it('reports the rows, stored bytes and index extent written, through overwrites, deletes and compaction', async () => {
    const { store, series } = await setup()
    expect(await series.info()).toBeUndefined()
    await series.write(rows(0, 2500))
    expect(await series.info()).toEqual({ label: 's', ...(await truth(store, 'c', 's')) })
    expect((await series.info())?.rows).toBe(2500)

    for (let i = 0; i < 40; i++) await series.write(rows(2500 + i * 10, 2510 + i * 10)) // small appends, compacted
    await series.write({ t: [1000n, 1001n], v: [-1, -2] }) // overwrite: 1000..1001 stay two rows
    await series.write({ t: [500n, 1500n], v: [0, 0] }) // replaces 500..1500 with two rows
    await series.delete({ start: 100n, stop: 200n, closed: 'left' })
    await series.delete({ start: 2800n }) // the tail
    const info = await series.info()
    const expected = await truth(store, 'c', 's')
    expect(expected.rows).toBe(2800 - 999 - 100)
    expect(info).toEqual({ label: 's', ...expected })
    expect(info?.first).toBe(0n)
    expect(info?.last).toBe(2799n)
  })

  it('is undefined once every row is deleted, and for a series never written', async () => {
    const { collection, series } = await setup()
    await series.write(rows(0, 10))
    await series.delete({ start: 0n })
    expect(await series.info()).toBeUndefined()
    expect(await collection.series('other').info()).toBeUndefined()
    expect(await collection.seriesInfo()).toEqual([])
    expect(await collection.info()).toMatchObject({ series: 0, rows: 0 })
  })

  it('reads the past through at(): revision ids and instants', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const store = createMemoryStore()
    const repo = await Repo.open(store, { layout, clock: () => now })
    const collection = await repo.createCollection('c', schema)
    const series = collection.series('s')
    const first = await series.write(rows(0, 1500))
    now += 60_000
    await series.write(rows(1500, 3000))
    now += 60_000
    await series.delete({ start: 0n, stop: 999n })
    const past = collection.at(first!.id)
    expect(await past.series('s').info()).toEqual({
      label: 's',
      ...(await truth(store, 'c', 's', first!.id)),
    })
    expect((await past.series('s').info())?.rows).toBe(1500)
    expect(
      (
        await collection
          .at(new Date(now - 30_000))
          .series('s')
          .info()
      )?.rows,
    ).toBe(3000)
    expect(await collection.at(new Date('2025-01-01')).series('s').info()).toBeUndefined()
    expect((await series.info())?.rows).toBe(2000)
    expect((await series.info())?.first).toBe(1000n)
    expect((await past.info()).revision?.id).toBe(first!.id)
  })
})

describe('collection.seriesInfo and collection.info', () => {
  it('lists every series of one revision, sorted, matching each series.info()', async () => {
    const { store, collection } = await setup()
    await collection.write({ b: rows(0, 1200), a: rows(10, 20), c: rows(-5, 5) })
    const all = await collection.seriesInfo()
    expect(all.map((s) => s.label)).toEqual(['a', 'b', 'c'])
    for (const info of all) {
      expect(info).toEqual(await collection.series(info.label).info())
      expect(info).toEqual({ label: info.label, ...(await truth(store, 'c', info.label)) })
    }
    expect(await collection.info()).toMatchObject({ series: 3, rows: 1220 })
    expect((await collection.info()).revision?.id).toBe((await collection.heads())[0]!.id)
  })

  it('on a dataset: only its series; with a range, the stored segments the range reaches, counted whole', async () => {
    const { repo, collection } = await setup()
    // Segments of 1000 rows: [0, 999], [1000, 1999], [2000, 2999].
    await collection.write({ a: rows(0, 3000), b: rows(0, 3000), z: rows(5000, 5010) })
    expect((await collection.seriesInfo()).find((s) => s.label === 'a')?.rows).toBe(3000)

    await repo.datasets.publish('only-a', { collection: 'c', series: ['a'] })
    const onlyA = (await repo.datasets.get('only-a'))!
    expect((await onlyA.seriesInfo()).map((s) => s.label)).toEqual(['a'])
    expect(await onlyA.info()).toMatchObject({ series: 1, rows: 3000 })

    await repo.datasets.publish('aligned', { collection: 'c', series: ['a', 'z'], start: 1000n, stop: 2000n })
    const aligned = (await repo.datasets.get('aligned'))!
    const [a, z] = await aligned.seriesInfo()
    expect(a).toMatchObject({ label: 'a', rows: 1000, first: 1000n, last: 1999n })
    expect(a!.rows).toBe((await aligned.series('a').read()).length)
    expect(z).toEqual({ label: 'z', rows: 0, storedBytes: 0, first: undefined, last: undefined })
    expect(await aligned.info()).toMatchObject({ series: 2, rows: 1000 })

    await repo.datasets.publish('cut', { collection: 'c', series: ['a'], start: 500n, stop: 1001n })
    const cut = (await repo.datasets.get('cut'))!
    const info = await cut.series('a').info()
    // The range reaches two segments: both count whole, though a read returns 501 rows.
    expect(info).toMatchObject({ rows: 2000, first: 0n, last: 1999n })
    expect((await cut.series('a').read()).length).toBe(501)
    const whole = (await collection.seriesInfo()).find((s) => s.label === 'a')!
    expect(info!.storedBytes).toBeLessThan(whole.storedBytes)
  })
})

describe('on a partial replica with since', () => {
  it('counts the segments the replica holds: storedBytes is what its chunks take there', async () => {
    const name = `series-info-${Math.random().toString(16).slice(2)}`
    const source = await Repo.open(`memory://${name}-source`, { layout })
    const sales = await source.createCollection('sales', schema)
    await sales.write({ a: rows(0, 3000), b: rows(0, 500) })
    const uri = await publish(sales, `memory://${name}-hub#sales`)
    const consumer = await Repo.open(`memory://${name}-consumer`)
    const replica = await replicate(uri, consumer, 'recent', { since: 1500n })
    const held = new Map<string, number>()
    for await (const key of consumer.store.list('objects/')) {
      const bytes = (await consumer.store.get(key))!
      if (new TextDecoder().decode(bytes.subarray(0, 4)) === 'VRVC') held.set(key, bytes.length)
    }
    const info = await replica.seriesInfo()
    // a: the segments [1000, 1999] and [2000, 2999] reach 1500; b ends before it.
    expect(info).toEqual([
      { label: 'a', rows: 2000, storedBytes: expect.any(Number), first: 1000n, last: 2999n },
      { label: 'b', rows: 0, storedBytes: 0, first: undefined, last: undefined },
    ])
    expect(info[0]!.storedBytes).toBe([...held.values()].reduce((n, b) => n + b, 0))
    expect((await replica.series('a').read()).length).toBe(1500)
  })
})

describe('cost', () => {
  async function counted(store: Store) {
    const instrumented = createInstrumentedStore(store)
    const repo = await Repo.open(instrumented, { cache: { memoryBytes: 0 } })
    const collection = (await repo.collection('c'))!
    instrumented.resetStats()
    return { instrumented, collection }
  }

  it('series.info reads one listing and three objects, however many rows the series holds', async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store, { layout })
    const collection = await repo.createCollection('c', schema)
    await collection.write({ small: rows(0, 10), large: rows(0, 20_000) })
    const requests: number[] = []
    for (const label of ['small', 'large']) {
      const { instrumented, collection } = await counted(store)
      expect((await collection.series(label).info())?.rows).toBe(label === 'small' ? 10 : 20_000)
      const stats = instrumented.stats()
      expect(stats.list.requests).toBe(1) // the loose revisions
      expect(stats.get.requests).toBe(3) // revision, tree leaf, series index
      expect(stats.getRange.requests).toBe(0)
      requests.push(stats.total.requests)
    }
    expect(requests[0]).toBe(requests[1])
  })

  it('collection.seriesInfo resolves the revision once and reads each series index once', async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store, { layout })
    const collection = await repo.createCollection('c', schema)
    const batch: Record<string, ReturnType<typeof rows>> = {}
    for (let i = 0; i < 100; i++) batch[`s${i}`] = rows(i, i + (i % 2 === 0 ? 10 : 3000)) // distinct indexes
    await collection.write(batch)
    const { instrumented, collection: fresh } = await counted(store)
    const all = await fresh.seriesInfo()
    expect(all).toHaveLength(100)
    expect(all.reduce((n, s) => n + s.rows, 0)).toBe(50 * 10 + 50 * 3000)
    const stats = instrumented.stats()
    expect(stats.list.requests).toBe(1)
    // The revision, the tree (100 labels: a branch over 16 leaves) and the 100 series indexes.
    expect(stats.get.requests).toBe(1 + 17 + 100)
    expect(stats.getRange.requests).toBe(0)

    const summary = await counted(store)
    expect(await summary.collection.info()).toMatchObject({ series: 100, rows: 150_500 })
    expect(summary.instrumented.stats().get.requests).toBe(1 + 17) // no series index
  })
})
