import { createInstrumentedStore, openStore, publish, Repo, replicate, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { backends, contents, day, failure, publisher, schema } from './sharing-support.ts'

describe.each(backends)('replicas ($name)', (backend) => {
  async function published() {
    const { repo, sales } = await publisher(backend)
    const uri = await publish(sales, `${await backend.location()}#sales`)
    const consumer = await Repo.open(await backend.location())
    return { repo, sales, uri, consumer }
  }

  it('copies everything, is read-only, links to its upstream, and pulls only what is new', async () => {
    const { sales, uri, consumer } = await published()
    const replica = await replicate(uri, consumer, 'mirror')
    expect(replica.readOnly).toBe(true)
    expect(replica.upstream).toEqual([uri])
    expect(await contents(replica)).toEqual(await contents(sales))
    expect((await replica.log()).map((r) => r.id)).toEqual((await sales.log()).map((r) => r.id))

    await sales.series('a').write({ timestamp: [day(4), day(5)], value: [4, 5] })
    await sales.push()
    const pulled = await replica.pull()
    expect(pulled).toMatchObject({ collection: 'mirror', revisions: 1, upToDate: false })
    expect(await contents(replica)).toEqual(await contents(sales))
    expect(await replica.pull()).toMatchObject({ revisions: 0, upToDate: true })

    // The link is in the replica's descriptor: a later process finds it.
    const reopened = (await (await Repo.open(consumer.store)).collection('mirror'))!
    expect(reopened.upstream).toEqual([uri])
    expect(reopened.readOnly).toBe(true)
  })

  it('gets its own id, so a repository can hold a collection and a replica of its published copy', async () => {
    const { repo, sales, uri } = await published()
    const mirror = await replicate(uri, repo, 'mirror')
    await sales.series('b').write({ timestamp: [day(3)], value: [30] })
    await sales.push()
    expect((await mirror.pull()).revisions).toBe(1)
    expect(await contents(mirror)).toEqual(await contents(sales))
    const keys: string[] = []
    for await (const key of repo.store.list('revisions/')) keys.push(key.split('/')[1]!)
    expect(new Set(keys).size).toBe(2)
  })

  it('"already up to date" costs one listing on the upstream, and nothing else there', async () => {
    const { uri, consumer } = await published()
    const upstream = createInstrumentedStore(await openStore(uri.slice(0, uri.lastIndexOf('#'))))
    const replica = await replicate({ store: upstream, collection: 'sales' }, consumer, 'mirror')
    upstream.resetStats()
    expect((await replica.pull()).upToDate).toBe(true)
    expect(upstream.stats().total.requests).toBe(1)
    expect(upstream.stats().list.requests).toBe(1)
  })

  it('refuses every change with ReadOnly, saying how to get a writable copy', async () => {
    const { uri, consumer } = await published()
    const replica = await replicate(uri, consumer, 'mirror')
    const copyHint = `repo.createCollection('mirror-copy', { source: '${uri}' })`
    const details = { collection: 'mirror', upstream: uri, copyName: 'mirror-copy' }
    const attempts: [string, () => unknown][] = [
      ['write', () => replica.write({ a: { timestamp: [day(9)], value: [9] } })],
      ['series.write', () => replica.series('a').write({ timestamp: [day(9)], value: [9] })],
      ['series.delete', () => replica.series('a').delete({ start: day(1) })],
      ['merge', () => replica.merge()],
      ['squash', () => replica.squash()],
      ['push', () => replica.push()],
      ['push(remote)', () => replica.push(consumer.store)],
    ]
    for (const [what, attempt] of attempts) {
      const error = await failure(attempt)
      expect(VarveError.is(error, 'ReadOnly'), what).toBe(true)
      expect(error.message, what).toContain(copyHint)
      expect(error.message, what).toContain(`read-only replica of ${uri}`)
      // What a program needs to say the same in its own words (the CLI: varve create --from).
      expect((error as VarveError).details, what).toEqual(details)
    }
    expect((await failure(() => replica.push())).message).toMatch(/call pull\(\)/)
    const drop = await failure(() => consumer.dropCollection('mirror'))
    expect(VarveError.is(drop, 'ReadOnly')).toBe(true)
    expect(drop.message).toMatch(/repo\.dropCollection\('mirror', \{ replica: true \}\)/)
    expect((drop as VarveError).details).toEqual(details)
    const elsewhere = await failure(() => replica.pull(consumer.store))
    expect(elsewhere.message).toMatch(/takes data only from there: call pull\(\) without a remote/)
    expect(await contents(replica)).toEqual(await contents((await consumer.collection('mirror'))!))

    // A whole-repository pull brings the same name from elsewhere: it must not write into the replica.
    const stranger = await Repo.open(await backend.location())
    await (await stranger.createCollection('mirror', schema))
      .series('a')
      .write({ timestamp: [day(1)], value: [0] })
    const pulled = await failure(() => consumer.pull(stranger))
    expect(VarveError.is(pulled, 'ReadOnly')).toBe(true)
    expect(pulled.message).toContain(copyHint)
    expect(await contents(replica)).toEqual(await contents((await consumer.collection('mirror'))!))

    await consumer.dropCollection('mirror', { replica: true })
    expect(await consumer.collections()).toEqual([])
  })

  it('says so when the upstream collection was dropped or replaced, keeping what the replica has', async () => {
    const { uri, consumer } = await published()
    const replica = await replicate(uri, consumer, 'mirror')
    const before = await contents(replica)
    const hub = await Repo.open(uri.slice(0, uri.lastIndexOf('#')))
    await hub.dropCollection('sales')
    const dropped = await failure(() => replica.pull())
    expect(VarveError.is(dropped, 'NotFound')).toBe(true)
    expect(dropped.message).toMatch(
      /no longer holds that collection \(dropped there\); the replica keeps what it has/,
    )
    await (await hub.createCollection('sales', schema)).series('x').write({ timestamp: [day(1)], value: [1] })
    const replaced = await failure(() => replica.pull())
    expect(replaced.message).toMatch(/now holds another collection under that name \(id [0-9a-f]{16}/)
    expect(replaced.message).toMatch(/replicate it anew/)
    expect(await contents(replica)).toEqual(before)
  })

  it('refuses a second replica of one upstream (naming the first), a taken name, and bad input, writing nothing', async () => {
    const { uri, consumer } = await published()
    await replicate(uri, consumer, 'mirror')
    const twice = await failure(() => replicate(uri, consumer, 'again'))
    expect(VarveError.is(twice, 'AlreadyExists')).toBe(true)
    expect(twice.message).toMatch(/already replicated here as "mirror"/)
    expect(
      VarveError.is(
        await failure(() => replicate(uri.replace('#sales', '#nope'), consumer, 'x')),
        'NotFound',
      ),
    ).toBe(true)
    const missing = await failure(() => replicate(uri.replace('#sales', '#nope'), consumer, 'x'))
    expect(missing.message).toMatch(/holds no collection "nope"; it holds "sales"/)
    const nowhere = await backend.location()
    const empty = await failure(() => replicate(`${nowhere}#sales`, consumer, 'x'))
    expect(VarveError.is(empty, 'NotFound')).toBe(true)
    for (const [input, name, options] of [
      ['not-a-uri', 'x', {}],
      [uri, 'bad name', {}],
      [uri, 'x', { series: [] }],
      [uri, 'x', { series: 'a' }],
      [uri, 'x', { since: 'yesterday-ish' }],
      [uri, 'x', { sinc: day(1) }],
    ] as const) {
      const error = await failure(() => replicate(input, consumer, name, options as object))
      expect(VarveError.is(error, 'InvalidArgument'), JSON.stringify([input, name, options])).toBe(true)
    }
    expect(await consumer.collections()).toEqual(['mirror'])
  })

  it('makes detached, writable copies with no upstream that never touch the original', async () => {
    const { sales, uri, consumer } = await published()
    const mine = await consumer.createCollection('mine', { source: uri })
    expect(mine.readOnly).toBe(false)
    expect(mine.upstream).toEqual([])
    expect(await contents(mine)).toEqual(await contents(sales))
    expect((await mine.log()).map((r) => r.id)).toEqual((await sales.log()).map((r) => r.id))
    await mine.series('a').write({ timestamp: [day(9)], value: [99] })
    expect((await mine.series('a').read()).length).toBe(4)
    expect((await sales.series('a').read()).length).toBe(3)
    const noUpstream = await failure(() => mine.pull())
    expect(noUpstream.message).toMatch(/no upstream to pull from/)
    // A second copy is another collection with another id; a replica may sit beside them.
    const again = await consumer.createCollection('mine-2', { source: uri })
    await replicate(uri, consumer, 'mirror')
    const ids = new Set<string>()
    for await (const key of consumer.store.list('collections/')) {
      ids.add(JSON.parse(new TextDecoder().decode(await consumer.store.get(key))).id)
    }
    expect(ids.size).toBe(3)
    expect(await again.labels()).toEqual(['a', 'b'])
    const taken = await failure(() => consumer.createCollection('mine', { source: uri }))
    expect(VarveError.is(taken, 'AlreadyExists')).toBe(true)
    const bad = await failure(() =>
      consumer.createCollection('other', { source: 's3://bucket/no-collection' }),
    )
    expect(bad.message).toMatch(/names no collection: add '#<collection>'/)
  })
})
