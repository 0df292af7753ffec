import {
  createFaultyStore,
  createInstrumentedStore,
  createMemoryStore,
  publish,
  Repo,
  Schema,
  VarveError,
} from '@varve/core'
import { describe, expect, it } from 'vitest'
import { backends, contents, day, failure, publisher, schema } from './sharing-support.ts'

describe.each(backends)('publish and push to upstreams ($name)', (backend) => {
  it('pushes to one repository, records it as the upstream (seen after reopening) and returns its URI', async () => {
    const { repo, sales } = await publisher(backend)
    const hub = await backend.location()
    const uri = await publish(sales, `${hub}#shared-sales`)
    expect(uri).toMatch(/#shared-sales$/)
    expect(sales.upstream).toEqual([uri])
    const there = (await (await Repo.open(hub, { create: false })).collection('shared-sales'))!
    expect(await contents(there)).toEqual(await contents(sales))
    expect((await repo.collection('sales'))!.upstream).toEqual([uri])
    const reopened = await Repo.open(repo.store)
    expect((await reopened.collection('sales'))!.upstream).toEqual([uri])
  })

  it('publishes to several repositories at once; push() then sends new revisions to each', async () => {
    const { sales } = await publisher(backend)
    const hubs = [await backend.location(), await backend.location()]
    const uris = await publish(sales, [`${hubs[0]}#sales`, `${hubs[1]}#sales`])
    expect(uris).toHaveLength(2)
    expect(sales.upstream).toEqual(uris)
    await sales.series('a').write({ timestamp: [day(4)], value: [4] })
    const pushed = await sales.push()
    expect(pushed.map((r) => [r.upstream, r.revisions, r.upToDate])).toEqual([
      [uris[0], 1, false],
      [uris[1], 1, false],
    ])
    for (const hub of hubs) {
      const there = (await (await Repo.open(hub, { create: false })).collection('sales'))!
      expect(await contents(there)).toEqual(await contents(sales))
      expect((await there.log()).map((r) => r.id)).toEqual((await sales.log()).map((r) => r.id))
    }
    expect((await sales.push()).every((r) => r.upToDate)).toBe(true)
  })

  it('publishing again adds upstreams without repeating one', async () => {
    const { sales } = await publisher(backend)
    const [first, second] = [await backend.location(), await backend.location()]
    const a = await publish(sales, `${first}#sales`)
    expect(await publish(sales, `${first}#sales`)).toBe(a)
    const b = await publish(sales, `${second}#sales`)
    expect(sales.upstream).toEqual([a, b])
  })

  it('pull() without a remote brings what others pushed to the upstream', async () => {
    const { repo, sales } = await publisher(backend)
    const hub = await backend.location()
    await publish(sales, `${hub}#sales`)
    // Another writer of the published collection, working on the hub itself.
    const other = (await (await Repo.open(hub, { create: false })).collection('sales'))!
    await other.series('c').write({ timestamp: [day(9)], value: [9] })
    const pulled = await (await repo.collection('sales'))!.pull()
    expect(pulled).toMatchObject({ collection: 'sales', revisions: 1, upToDate: false })
    expect(await sales.labels()).toEqual(['a', 'b', 'c'])
    expect((await sales.pull()).upToDate).toBe(true)
  })

  it('refuses a name that holds another collection (other id, or other schema) before writing anywhere', async () => {
    const { sales } = await publisher(backend)
    const [free, taken] = [await backend.location(), await backend.location()]
    const owner = await Repo.open(taken)
    await (await owner.createCollection('sales', schema))
      .series('z')
      .write({ timestamp: [day(1)], value: [0] })
    const before = await owner.store.get('collections/sales')
    const error = await failure(() => publish(sales, [`${free}#sales`, `${taken}#sales`]))
    expect(VarveError.is(error, 'AlreadyExists')).toBe(true)
    expect(error.message).toMatch(/holds another collection there \(id [0-9a-f]{16}/)
    expect(error.message).toMatch(/Publish under another name \(e\.g\. '.*#sales-2'\)/)
    // Nothing was written: neither the free target nor the upstream list.
    expect(await (await Repo.open(free)).collections()).toEqual([])
    expect(sales.upstream).toEqual([])
    expect(await owner.store.get('collections/sales')).toEqual(before)

    const other = await Repo.open(await backend.location())
    await other.createCollection('sales', new Schema({ timestamp: 'timestamp*', value: 'int32' }))
    expect(
      VarveError.is(await failure(() => publish(sales, `${other.store.description}#sales`)), 'AlreadyExists'),
    ).toBe(true)
  })

  it('refuses a second name for the collection in one hub, and its own repository', async () => {
    const { repo, sales } = await publisher(backend)
    const hub = await backend.location()
    await publish(sales, `${hub}#sales`)
    const twice = await failure(() => publish(sales, `${hub}#sales-again`))
    expect(VarveError.is(twice, 'AlreadyExists')).toBe(true)
    expect(twice.message).toMatch(
      /already holds collection "sales" as "sales"; publish to '.*#sales' instead/,
    )
    expect(await (await Repo.open(hub)).collections()).toEqual(['sales'])
    const own = await failure(() => publish(sales, { store: repo, collection: 'copy' }))
    expect(own.message).toMatch(/is in the repository "sales" already lives in/)
    expect(await repo.collections()).toEqual(['sales'])
  })

  it('says what was meant: push() or pull() without an upstream, bad URIs, nothing published', async () => {
    const { sales } = await publisher(backend)
    const push = await failure(() => sales.push())
    expect(VarveError.is(push, 'InvalidArgument')).toBe(true)
    expect(push.message).toMatch(
      /no upstream to push to: publish it first \(publish\(collection, 's3:\/\/bucket\/hub#sales'\)\)/,
    )
    const pull = await failure(() => sales.pull())
    expect(pull.message).toMatch(
      /no upstream to pull from\. Name the remote .* replicate\('s3:\/\/bucket\/hub#sales', repo, 'sales'\)/,
    )
    for (const bad of ['s3://bucket/hub', 's3://key:secret@bucket/hub#sales', []]) {
      expect(VarveError.is(await failure(() => publish(sales, bad as string)), 'InvalidArgument')).toBe(true)
    }
  })
})

describe('publish with store objects', () => {
  it('uses the store given, and the same object for the later push(); one listing when up to date', async () => {
    const repo = await Repo.open(createMemoryStore())
    const sales = await repo.createCollection('sales', schema)
    await sales.series('a').write({ timestamp: [day(1)], value: [1] })
    const hub = createInstrumentedStore(createMemoryStore({ description: 'memory://objects-only-hub' }))
    expect(await publish(sales, { store: hub, collection: 'sales' })).toBe('memory://objects-only-hub#sales')
    hub.resetStats()
    const [result] = await sales.push()
    expect(result).toMatchObject({ upToDate: true, upstream: 'memory://objects-only-hub#sales' })
    // The marker check and the descriptor read, then one listing of the changelog.
    expect(hub.stats().list.requests).toBe(1)
  })

  it('leaves an upstream whose push failed midway with whole revisions only; a re-run finishes it', async () => {
    const repo = await Repo.open(createMemoryStore())
    const sales = await repo.createCollection('sales', schema)
    for (let d = 1; d <= 4; d++) await sales.series(`s${d}`).write({ timestamp: [day(d)], value: [d] })
    const healthy = createMemoryStore({ description: 'memory://healthy-hub' })
    const inner = createMemoryStore({ description: 'memory://flaky-hub' })
    const flaky = createFaultyStore(inner, {
      faults: [
        // The 3rd chunk written on the first push, then the 3rd revision on the second.
        { ops: ['put'], keys: 'objects/', skip: 2, times: 1, error: 'StoreFailure' },
        { ops: ['create'], keys: 'revisions/', skip: 2, times: 1, error: 'StoreFailure' },
      ],
    })
    const targets = [
      { store: healthy, collection: 'sales' },
      { store: flaky, collection: 'sales' },
    ]
    expect(VarveError.is(await failure(() => publish(sales, targets)), 'StoreFailure')).toBe(true)
    expect(sales.upstream).toEqual([])
    expect(await (await Repo.open(inner)).collection('sales').then((c) => c!.log())).toEqual([])
    expect(VarveError.is(await failure(() => publish(sales, targets)), 'StoreFailure')).toBe(true)
    const halfway = (await (await Repo.open(inner)).collection('sales'))!
    // Whatever revisions arrived are readable whole: a revision comes after all it points at.
    for (const revision of await halfway.log()) {
      const view = halfway.at(revision.id)
      for (const label of await view.labels()) expect((await view.series(label).read()).length).toBe(1)
    }
    expect((await halfway.log()).length).toBe(2)
    expect(await publish(sales, targets)).toEqual(['memory://healthy-hub#sales', 'memory://flaky-hub#sales'])
    for (const hub of [healthy, inner]) {
      expect(await contents((await (await Repo.open(hub)).collection('sales'))!)).toEqual(
        await contents(sales),
      )
    }
  })

  it('refuses two different stores that describe themselves alike', async () => {
    const repo = await Repo.open(createMemoryStore())
    const sales = await repo.createCollection('sales', schema)
    const error = await failure(() =>
      publish(sales, [
        { store: createMemoryStore({ description: 'memory://same' }), collection: 'sales' },
        { store: createMemoryStore({ description: 'memory://same' }), collection: 'other' },
      ]),
    )
    expect(error.message).toMatch(/Two different stores describe themselves as memory:\/\/same/)
  })
})
