import { createInstrumentedStore, createMemoryStore, Repo, Schema } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ t: 'int64*', v: 'float64' })

describe('compaction of small appends', () => {
  it('keeps a series written 10 rows at a time a few chunks deep, with every row intact', async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store, { layout: { pageRows: 256, maxSegmentRows: 4096 } })
    const series = (await repo.createCollection('c', schema)).series('s')
    const appends = 600
    for (let i = 0; i < appends; i++) {
      const t = Array.from({ length: 10 }, (_, k) => BigInt(i * 10 + k))
      await series.write({ t, v: t.map((x) => Number(x) / 2) })
    }
    const counted = createInstrumentedStore(store)
    const fresh = (await (await Repo.open(counted, { cache: { memoryBytes: 0 } })).collection('c'))!.series(
      's',
    )
    counted.resetStats()
    const frame = await fresh.read()
    expect(frame.length).toBe(appends * 10)
    expect([...(frame.column('v') as Float64Array)]).toEqual(
      Array.from({ length: appends * 10 }, (_, i) => i / 2),
    )
    // Revision, tree node, series index, then one request per chunk: 6,000 rows of
    // 4,096-row chunks sit in a handful of chunks, not 600.
    const gets = counted.stats().get.requests + counted.stats().getRange.requests
    expect(gets).toBeLessThanOrEqual(3 + 6)
  })

  it('rewrites only the segments a correction reaches', async () => {
    const store = createInstrumentedStore(createMemoryStore())
    const repo = await Repo.open(store, { layout: { pageRows: 100, maxSegmentRows: 1000 } })
    const series = (await repo.createCollection('c', schema)).series('s')
    const t = BigInt64Array.from({ length: 10_000 }, (_, i) => BigInt(i))
    await series.write({ t, v: Float64Array.from(t, (x) => Number(x)) })
    store.resetStats()
    await series.write({ t: [5_000n], v: [-1] })
    // One segment of at most 1,000 rows was rewritten, not the 10,000-row series.
    expect(store.stats().put.bytes).toBeLessThan(20_000)
    const frame = await series.read({ start: 4_999n, stop: 5_001n })
    expect([...(frame.column('v') as Float64Array)]).toEqual([4_999, -1, 5_001])
    expect((await series.read()).length).toBe(10_000)
  })
})
