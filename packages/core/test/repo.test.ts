import { createMemoryStore, Repo, Schema, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const day = (d: number) => `2020-01-${String(d).padStart(2, '0')}T00:00:00Z`
const ms = (d: number) => BigInt(Date.parse(day(d)))

async function values(repo: Repo, label = 'a', options = {}) {
  const frame = await (await repo.collection('c'))!.series(label).read(options)
  return {
    t: [...(frame.column('timestamp') as BigInt64Array)],
    v: [...(frame.column('value') as Float64Array)],
  }
}

describe('Repo', () => {
  it('creates a repository, collections, and refuses duplicates and bad names', async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store)
    expect(await repo.collections()).toEqual([])
    const c = await repo.createCollection('temperature', { timestamp: 'timestamp*', value: 'float64' })
    expect(c.name).toBe('temperature')
    expect(c.schema.toJSON()).toEqual({ timestamp: 'timestamp[ms]*', value: 'float64' })
    await expect(repo.createCollection('temperature', schema)).rejects.toMatchObject({
      code: 'AlreadyExists',
    })
    await expect(repo.createCollection('bad name', schema)).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(await repo.collections()).toEqual(['temperature'])
    expect(await repo.collection('absent')).toBeUndefined()
    const again = await Repo.open(store)
    expect((await again.collection('temperature'))!.schema.equals(schema)).toBe(true)
  })

  it('refuses a repository of a newer format, and a location without one when create is off', async () => {
    const store = createMemoryStore()
    await store.put('varve.json', new TextEncoder().encode('{"format":"varve","version":99}'))
    await expect(Repo.open(store)).rejects.toMatchObject({
      code: 'FormatVersion',
      message: expect.stringMatching(/format 99.*Upgrade/),
    })
    await expect(Repo.open(createMemoryStore(), { create: false })).rejects.toMatchObject({
      code: 'NotFound',
    })
  })

  it('drops a collection and its history; the name starts afresh', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection('c', schema)
    await c.series('a').write({ timestamp: [day(1)], value: [1] })
    await repo.dropCollection('c')
    expect(await repo.collections()).toEqual([])
    await expect(repo.dropCollection('c')).rejects.toMatchObject({ code: 'NotFound' })
    const fresh = await repo.createCollection('c', schema)
    expect(await fresh.log()).toEqual([])
    expect(await fresh.labels()).toEqual([])
  })
})

describe('Series writes', () => {
  it('round-trips, replaces the written range and keeps rows outside it', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection('c', schema)
    const s = c.series('a')
    await s.write({ timestamp: [1, 2, 3, 4, 5].map(day), value: [1, 2, 3, 4, 5] })
    await s.write({ timestamp: [day(2), day(4)], value: [20, 40] })
    expect(await values(repo)).toEqual({ t: [1, 2, 4, 5].map(ms), v: [1, 20, 40, 5] })
    await s.write({ timestamp: [day(6), day(7)], value: [6, 7] })
    expect((await values(repo)).v).toEqual([1, 20, 40, 5, 6, 7])
    expect(await c.labels()).toEqual(['a'])
    expect((await c.log()).length).toBe(3)
  })

  it('deletes a range with each closed mode', async () => {
    for (const [closed, kept] of [
      ['both', [1, 5]],
      ['left', [1, 4, 5]],
      ['right', [1, 2, 5]],
      ['neither', [1, 2, 4, 5]],
    ] as const) {
      const repo = await Repo.open(createMemoryStore())
      const s = (await repo.createCollection('c', schema)).series('a')
      await s.write({ timestamp: [1, 2, 3, 4, 5].map(day), value: [1, 2, 3, 4, 5] })
      await s.delete({ start: day(2), stop: day(4), closed })
      expect((await values(repo)).v).toEqual(kept)
    }
  })

  it('removes a series whose rows are all deleted', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection('c', schema)
    await c.series('a').write({ timestamp: [day(1)], value: [1] })
    await c.series('a').delete({ start: day(1), stop: day(1) })
    expect(await c.labels()).toEqual([])
    expect((await c.series('a').read()).length).toBe(0)
  })

  it('writes many series in one commit', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection('c', schema)
    await c.write({ a: { timestamp: [day(1)], value: [1] }, b: { timestamp: [day(2)], value: [2] } })
    expect(await c.labels()).toEqual(['a', 'b'])
    expect(await c.log()).toHaveLength(1)
  })

  it('refuses bad input with the column and row named, and writes nothing', async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store)
    const c = await repo.createCollection('c', schema)
    const before = await keys(store)
    const attempts = [
      () => c.series('a').write({ timestamp: [day(1), 'not a date'], value: [1, 2] }),
      () => c.series('a').write({ timestamp: [day(1)] }),
      () => c.series('a').write({ timestamp: [day(1)], value: [1], extra: [1] }),
      () => c.series('a').write({ timestamp: [day(2), day(1)], value: [1, 2] }),
      () => c.write({ ok: { timestamp: [day(1)], value: [1] }, bad: { timestamp: [day(1)], value: ['x'] } }),
      () => c.series('').write({ timestamp: [day(1)], value: [1] }),
    ]
    for (const attempt of attempts) {
      const error = await Promise.resolve()
        .then(attempt)
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(VarveError.is(error, 'InvalidArgument'), String(error)).toBe(true)
    }
    const first = await c
      .series('a')
      .write({ timestamp: [day(1), 'nope'], value: [1, 2] })
      .catch((e: VarveError) => e)
    expect((first as VarveError).message).toMatch(/timestamp.*row 1|row 1.*timestamp/i)
    expect(await keys(store)).toEqual(before)
  })
})

describe('Series reads', () => {
  it('honours start, stop, closed, select, limit and offset', async () => {
    const repo = await Repo.open(createMemoryStore())
    const c = await repo.createCollection(
      'c',
      new Schema({ timestamp: 'timestamp*', value: 'float64', other: 'int32' }),
    )
    await c
      .series('a')
      .write({ timestamp: [1, 2, 3, 4, 5].map(day), value: [1, 2, 3, 4, 5], other: [10, 20, 30, 40, 50] })
    const read = (o: object) => c.series('a').read(o)
    expect([...((await read({ start: day(2), stop: day(4) })).column('value') as Float64Array)]).toEqual([
      2, 3, 4,
    ])
    expect([
      ...((await read({ start: day(2), stop: day(4), closed: 'left' })).column('value') as Float64Array),
    ]).toEqual([2, 3])
    expect([
      ...((await read({ start: day(2), stop: day(4), closed: 'right' })).column('value') as Float64Array),
    ]).toEqual([3, 4])
    expect([
      ...((await read({ start: day(2), stop: day(4), closed: 'neither' })).column('value') as Float64Array),
    ]).toEqual([3])
    expect([...((await read({ start: new Date(day(4)) })).column('value') as Float64Array)]).toEqual([4, 5])
    const selected = await read({ select: ['other'] })
    expect(Object.keys(selected.columns)).toEqual(['timestamp', 'other'])
    expect([...((await read({ offset: 1, limit: 2 })).column('value') as Float64Array)]).toEqual([2, 3])
    await expect(read({ select: ['nope'] })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/nope/),
    })
    await expect(read({ limit: -1 })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(read({ closed: 'sideways' })).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(read({ begin: 1 })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/begin/),
    })
  })

  it('reads many pages and segments, and only the pages a range needs', async () => {
    const repo = await Repo.open(createMemoryStore(), { layout: { pageRows: 100, maxSegmentRows: 1000 } })
    const c = await repo.createCollection('c', new Schema({ t: 'int64*', v: 'float64' }))
    const n = 5000
    const t = BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 10))
    const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i))
    await c.series('s').write({ t, v })
    const all = await c.series('s').read()
    expect(all.length).toBe(n)
    expect([...(all.column('v') as Float64Array)]).toEqual([...v])
    const slice = await c.series('s').read({ start: 12_345n, stop: 23_455n })
    expect([...(slice.column('t') as BigInt64Array)]).toEqual(
      [...t].filter((x) => x >= 12_345n && x <= 23_455n),
    )
  })
})

describe('History', () => {
  it('reads the past by revision id, prefix and instant', async () => {
    let now = Date.parse('2024-01-01T00:00:00Z')
    const repo = await Repo.open(createMemoryStore(), { clock: () => now })
    const c = await repo.createCollection('c', schema)
    const r1 = (await c.series('a').write({ timestamp: [day(1)], value: [1] }))!
    now += 60_000
    const r2 = (await c.series('a').write({ timestamp: [day(1)], value: [2] }))!
    now += 60_000
    await c.series('a').write({ timestamp: [day(2)], value: [3] })
    const log = await c.log()
    expect(log.map((r) => r.id)).toEqual([r1.id, r2.id, log[2]!.id])
    expect(log[1]!.parents).toEqual([r1.id])
    const at = async (v: string | Date) => [
      ...((await c.at(v).series('a').read()).column('value') as Float64Array),
    ]
    expect(await at(r1.id)).toEqual([1])
    expect(await at(r2.id.slice(0, 18))).toEqual([2])
    expect(await at(new Date(Date.parse('2024-01-01T00:00:30Z')))).toEqual([1])
    expect(await at(new Date(Date.parse('2023-01-01T00:00:00Z')))).toEqual([])
    expect([...((await c.series('a').read({ at: r2.id })).column('value') as Float64Array)]).toEqual([2])
    expect(c.at(r1.id).readOnly).toBe(true)
    await expect(
      c
        .at(r1.id)
        .series('a')
        .write({ timestamp: [day(3)], value: [1] }),
    ).rejects.toMatchObject({ code: 'ReadOnly' })
    await expect(c.at('ffffffffffffffff-00000000').series('a').read()).rejects.toMatchObject({
      code: 'NotFound',
    })
  })

  it('orders a revision after what it observed, even when its clock is behind', async () => {
    const store = createMemoryStore()
    const ahead = await Repo.open(store, { clock: () => Date.parse('2030-01-01T01:00:00Z') })
    const behind = await Repo.open(store, { clock: () => Date.parse('2030-01-01T00:00:00Z') })
    await (await ahead.createCollection('c', schema)).series('a').write({ timestamp: [day(1)], value: [1] })
    const later = await (await behind.collection('c'))!.series('a').write({ timestamp: [day(1)], value: [2] })
    const log = await (await behind.collection('c'))!.log()
    expect(log.at(-1)!.id).toBe(later!.id)
    expect((await values(behind)).v).toEqual([2])
  })

  it('keeps both writes of two writers on one head as two heads, and reads a deterministic one', async () => {
    const store = createMemoryStore()
    const one = await Repo.open(store)
    const two = await Repo.open(store)
    await (await one.createCollection('c', schema)).series('a').write({ timestamp: [day(1)], value: [0] })
    const [c1, c2] = [(await one.collection('c'))!, (await two.collection('c'))!]
    await Promise.all([
      c1.series('x').write({ timestamp: [day(1)], value: [1] }),
      c2.series('y').write({ timestamp: [day(1)], value: [2] }),
    ])
    const heads = await c1.heads()
    expect(heads).toHaveLength(2)
    const newest = heads
      .map((h) => h.id)
      .sort()
      .at(-1)!
    expect(await c1.labels()).toEqual(await c1.at(newest).labels())
    const seen = new Set<string>()
    for (const head of heads) for (const label of await c1.at(head.id).labels()) seen.add(label)
    expect([...seen].sort()).toEqual(['a', 'x', 'y'])
  })
})

describe('Integrity', () => {
  it('reports a corrupted chunk by key, never wrong numbers', async () => {
    const store = createMemoryStore()
    const repo = await Repo.open(store, { cache: { memoryBytes: 0 } })
    await (await repo.createCollection('c', schema))
      .series('a')
      .write({ timestamp: [1, 2, 3].map(day), value: [1, 2, 3] })
    for (const key of await keys(store)) {
      if (!key.startsWith('objects/')) continue
      const bytes = (await store.get(key))!
      const copy = bytes.slice()
      copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff
      await store.put(key, copy)
      // A fresh Repo each time: an open one keeps parsed metadata, which is immutable and so never re-read.
      const fresh = () => Repo.open(store, { cache: { memoryBytes: 0 } })
      const error = await values(await fresh()).catch((e: unknown) => e)
      expect(VarveError.is(error, 'Integrity'), `${key}: ${String(error)}`).toBe(true)
      expect((error as Error).message).toContain(key)
      await store.put(key, bytes.slice(0, bytes.length - 1))
      expect(VarveError.is(await values(await fresh()).catch((e: unknown) => e), 'Integrity')).toBe(true)
      await store.put(key, bytes)
    }
    expect((await values(repo)).v).toEqual([1, 2, 3])
  })
})

async function keys(store: ReturnType<typeof createMemoryStore>): Promise<string[]> {
  const out: string[] = []
  for await (const key of store.list('')) out.push(key)
  return out
}

describe('Repo options', () => {
  it('refuses a bad layout before writing anything', async () => {
    const store = createMemoryStore()
    await expect(Repo.open(store, { layout: { pageRows: 0 } })).rejects.toMatchObject({
      code: 'InvalidArgument',
    })
    const keys: string[] = []
    for await (const key of store.list('')) keys.push(key)
    expect(keys).toEqual([])
  })
})
