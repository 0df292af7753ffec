import { type Collection, publish, Repo, replicate, type Store, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { backends, contents, day, failure, schema } from './sharing-support.ts'

// Two rows per chunk: each series has several segments, so `since` has segments to leave out.
const layout = { pageRows: 2, maxSegmentRows: 2 }
const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => day(from + i))

interface Objects {
  /** Tree node hash → the series index hashes of its leaf entries, by label. */
  readonly nodes: Map<string, [string, string][]>
  /** Series index hash → its segments as [chunk hash, last index value (ms)]. */
  readonly series: Map<string, [string, bigint][]>
  readonly chunks: Set<string>
}

/** Every object of a repository, read and sorted by kind. */
async function objectsOf(store: Store): Promise<Objects> {
  const out: Objects = { nodes: new Map(), series: new Map(), chunks: new Set() }
  for await (const key of store.list('objects/')) {
    const hash = key.slice('objects/'.length).replace('/', '')
    const bytes = (await store.get(key))!
    if (new TextDecoder().decode(bytes.subarray(0, 4)) === 'VRVC') {
      out.chunks.add(hash)
      continue
    }
    const json = JSON.parse(new TextDecoder().decode(bytes))
    if (json.kind === 'series')
      out.series.set(
        hash,
        json.segments.map((s: unknown[]) => [s[0], BigInt((s[4] as string[])[0]!)]),
      )
    else out.nodes.set(hash, json.kind === 'leaf' ? json.entries.map((e: unknown[]) => [e[0], e[1]]) : [])
  }
  return out
}

/** What a partial replica of `upstream` must hold: every tree node, the indexes of `labels`, their chunks reaching `since`. */
function expectedObjects(upstream: Objects, labels: readonly string[], since?: bigint): Objects {
  const series = new Map<string, [string, bigint][]>()
  for (const entries of upstream.nodes.values()) {
    for (const [label, index] of entries)
      if (labels.includes(label)) series.set(index, upstream.series.get(index)!)
  }
  const chunks = new Set<string>()
  for (const segments of series.values()) {
    for (const [chunk, last] of segments) if (since === undefined || last >= since) chunks.add(chunk)
  }
  return { nodes: upstream.nodes, series, chunks }
}

const keysOf = (objects: Objects) => ({
  nodes: [...objects.nodes.keys()].sort(),
  series: [...objects.series.keys()].sort(),
  chunks: [...objects.chunks].sort(),
})

describe.each(backends)('partial replicas ($name)', (backend) => {
  async function published(): Promise<{ sales: Collection; uri: string; hub: Repo }> {
    const repo = await Repo.open(await backend.location(), { layout })
    const sales = await repo.createCollection('sales', schema)
    await sales.series('a').write({ timestamp: days(1, 8), value: [1, 2, 3, 4, 5, 6, 7, 8] })
    await sales.series('b').write({ timestamp: days(1, 8), value: [10, 20, 30, 40, 50, 60, 70, 80] })
    await sales.series('c').write({ timestamp: days(1, 4), value: [100, 200, 300, 400] })
    const hubLocation = await backend.location()
    const uri = await publish(sales, `${hubLocation}#sales`)
    return { sales, uri, hub: await Repo.open(hubLocation) }
  }

  it('copies only the selected series, refuses the others with OutOfScope, and pulls only their new data', async () => {
    const { sales, uri, hub } = await published()
    const consumer = await Repo.open(await backend.location())
    const replica = await replicate(uri, consumer, 'just-a', { series: ['a'] })
    const copied = await objectsOf(consumer.store)
    expect(keysOf(copied)).toEqual(keysOf(expectedObjects(await objectsOf(hub.store), ['a'])))
    expect(copied.chunks.size).toBe(4)
    expect(copied.series.size).toBe(1)

    expect(await replica.labels()).toEqual(['a'])
    expect((await contents(replica)).a).toEqual((await contents(sales)).a)
    const outside = await failure(() => replica.series('b'))
    expect(VarveError.is(outside, 'OutOfScope')).toBe(true)
    expect(outside.message).toMatch(/outside partial replica "just-a" of .*#sales, which holds only series a/)

    await sales.write({ a: { timestamp: [day(9)], value: [9] }, b: { timestamp: [day(9)], value: [90] } })
    await sales.push()
    const pulled = await replica.pull()
    // One revision: its new root node (a leaf), the new index of a, and a's new chunk; nothing of b.
    expect(pulled).toMatchObject({ revisions: 1, objects: 3, upToDate: false })
    expect(keysOf(await objectsOf(consumer.store))).toEqual(
      keysOf(expectedObjects(await objectsOf(hub.store), ['a'])),
    )
    expect((await contents(replica)).a).toEqual((await contents(sales)).a)
  })

  it('with since, copies only segments reaching it and refuses reads before it', async () => {
    const { sales, uri, hub } = await published()
    const consumer = await Repo.open(await backend.location())
    const replica = await replicate(uri, consumer, 'recent', { series: ['a', 'b'], since: day(5) })
    const since = BigInt(Date.parse(day(5)))
    const copied = await objectsOf(consumer.store)
    expect(keysOf(copied)).toEqual(keysOf(expectedObjects(await objectsOf(hub.store), ['a', 'b'], since)))
    expect(copied.chunks.size).toBe(4)

    const a = await replica.series('a').read()
    expect([...(a.column('value') as Float64Array)]).toEqual([5, 6, 7, 8])
    expect((await replica.series('b').read({ start: day(7) })).length).toBe(2)
    const before = await failure(() => replica.series('a').read({ start: day(2) }))
    expect(VarveError.is(before, 'OutOfScope')).toBe(true)
    expect(before.message).toMatch(/reaches outside partial replica "recent"/)
    expect((await contents(sales)).a![1].slice(4)).toEqual([5, 6, 7, 8])
  })

  it('keeps gc, detached copies and further replicas whole beside a partial replica', async () => {
    const { sales, uri } = await published()
    const consumer = await Repo.open(await backend.location())
    const partial = await replicate(uri, consumer, 'just-c', { series: ['c'] })
    // The tree nodes are already here: the copy must still bring every series below them.
    const mine = await consumer.createCollection('mine', { source: uri })
    expect(await contents(mine)).toEqual(await contents(sales))

    let now = Date.now()
    await consumer.gc({ gracePeriodMs: 1, now: () => now })
    now += 10
    await consumer.gc({ gracePeriodMs: 1, now: () => now })
    expect(await contents(mine)).toEqual(await contents(sales))
    expect((await contents(partial)).c).toEqual((await contents(sales)).c)

    await consumer.dropCollection('mine')
    now += 10
    await consumer.gc({ gracePeriodMs: 1, now: () => now })
    now += 10
    const last = await consumer.gc({ gracePeriodMs: 1, now: () => now })
    // The data only the copy reached is gone (the other series' indexes and chunks); the replica's stays.
    expect(last.deleted.length).toBeGreaterThan(0)
    expect((await contents(partial)).c).toEqual((await contents(sales)).c)
    const objects = await objectsOf(consumer.store)
    expect(objects.series.size).toBe(1)
  })

  it('refuses a partial replica as the source of a replica or a copy, naming its upstream', async () => {
    const { uri } = await published()
    const consumer = await Repo.open(await backend.location())
    await replicate(uri, consumer, 'just-a', { series: ['a'] })
    const source = `${consumer.store.description}#just-a`
    for (const attempt of [
      () => replicate(source, consumer, 'x'),
      () => consumer.createCollection('y', { source }),
    ]) {
      const error = await failure(attempt)
      expect(VarveError.is(error, 'InvalidArgument')).toBe(true)
      expect(error.message).toContain(`copy from its upstream ${uri}`)
    }
  })
})
