import {
  type Collection,
  createInstrumentedStore,
  createMemoryStore,
  Repo,
  replicate,
  type Store,
  VarveError,
} from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = { timestamp: 'timestamp*', value: 'float64' } as const
const day = (d: number) => `2020-01-${String(d).padStart(2, '0')}T00:00:00.000Z`
const ms = (d: number) => BigInt(Date.parse(day(d)))
const rows = (days: number[], value = 1) => ({ timestamp: days.map(day), value: days.map(() => value) })

async function values(view: Collection, label: string, options = {}) {
  const frame = await view.series(label).read(options)
  return {
    t: [...(frame.column('timestamp') as BigInt64Array)],
    v: [...(frame.column('value') as Float64Array)],
  }
}

async function keys(store: Store, prefix: string): Promise<string[]> {
  const found: string[] = []
  for await (const key of store.list(prefix)) found.push(key)
  return found
}

async function rejection(promise: Promise<unknown>): Promise<VarveError> {
  try {
    await promise
  } catch (error) {
    if (VarveError.is(error)) return error
    throw error
  }
  throw new Error('expected a VarveError')
}

/** `store`, running `hook` before every call of `operation`. */
function withHook<K extends 'create' | 'put' | 'delete'>(
  store: Store,
  operation: K,
  hook: (arg: Parameters<Store[K]>[0]) => Promise<void>,
): Store {
  return {
    description: store.description,
    capabilities: store.capabilities,
    get: (key) => store.get(key),
    getRange: (key, range) => store.getRange(key, range),
    put: async (key, bytes) => {
      if (operation === 'put') await hook(key as never)
      return store.put(key, bytes)
    },
    create: async (key, bytes) => {
      if (operation === 'create') await hook(key as never)
      return store.create(key, bytes)
    },
    list: (prefix) => store.list(prefix),
    delete: async (keys) => {
      if (operation === 'delete') await hook(keys as never)
      return store.delete(keys)
    },
  }
}

async function setup(store: Store = createMemoryStore()) {
  const repo = await Repo.open(store)
  const sales = await repo.createCollection('sales', schema)
  await sales.write({ eu: rows([1, 2, 3, 4]), us: rows([1, 2, 3, 4]) })
  return { store, repo, sales }
}

describe('repo.datasets', () => {
  it('publishes a collection by name: every client of the store sees it, following the head, read-only', async () => {
    const { store, repo, sales } = await setup()
    const info = await repo.datasets.publish('sales-live', 'sales')
    expect(info).toEqual({ name: 'sales-live', collection: 'sales', published: expect.any(Date) })
    const other = await Repo.open(store)
    expect(await other.datasets.list()).toEqual(['sales-live'])
    expect(await other.datasets.describe('sales-live')).toEqual(info)
    const view = (await other.datasets.get('sales-live'))!
    expect(view.name).toBe('sales')
    expect(view.readOnly).toBe(true)
    expect(await view.labels()).toEqual(['eu', 'us'])
    await sales.series('eu').write(rows([5], 5))
    expect((await values(view, 'eu')).t).toEqual([ms(1), ms(2), ms(3), ms(4), ms(5)])
    const write = await rejection(view.write({ eu: rows([6]) }))
    expect(write.code).toBe('ReadOnly')
    expect(write.message).toContain('dataset "sales-live" is a read-only view')
    expect(await other.datasets.get('absent')).toBeUndefined()
    expect(await other.datasets.describe('absent')).toBeUndefined()
  })

  it('pins a revision (id, prefix or head), a series selection and an index range', async () => {
    const { repo, sales } = await setup()
    const [first] = await sales.log()
    await sales.write({ eu: rows([3, 4, 5], 9), us: rows([5], 9) })
    const pinned = await repo.datasets.publish('q1', {
      collection: 'sales',
      revision: first!.id.slice(0, 12),
    })
    expect(pinned.revision).toBe(first!.id)
    const head = await repo.datasets.publish('eu-now', {
      collection: 'sales',
      revision: 'head',
      series: ['eu'],
      start: day(2),
      stop: day(5),
    })
    expect(head).toMatchObject({
      revision: (await sales.heads())[0]!.id,
      series: ['eu'],
      start: ms(2),
      stop: ms(5),
    })
    await sales.write({ eu: rows([1, 2, 3, 4, 5], 7) })

    const q1 = (await repo.datasets.get('q1'))!
    expect(await values(q1, 'eu')).toEqual({ t: [ms(1), ms(2), ms(3), ms(4)], v: [1, 1, 1, 1] })
    expect((await values(q1, 'us')).t).toHaveLength(4)

    const eu = (await repo.datasets.get('eu-now'))!
    expect(await eu.labels()).toEqual(['eu'])
    expect(await values(eu, 'eu')).toEqual({ t: [ms(2), ms(3), ms(4)], v: [1, 9, 9] })
    expect((await values(eu, 'eu', { start: day(3) })).t).toEqual([ms(3), ms(4)])
    const outside = await rejection(eu.series('eu').read({ stop: day(6) }))
    expect(outside.code).toBe('OutOfScope')
    expect(outside.message).toContain(
      `dataset "eu-now", which holds series eu in index [${day(2)}, ${day(5)})`,
    )
    expect(outside.message).toContain('repo.collection("sales")')
    const us = (() => {
      try {
        eu.series('us')
      } catch (error) {
        return error as VarveError
      }
    })()
    expect(us).toMatchObject({ code: 'OutOfScope' })
  })

  it('refuses bad names, targets and options with what to do, writing nothing', async () => {
    const { store, repo, sales } = await setup()
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [
        () => repo.datasets.publish('bad name', 'sales'),
        'InvalidArgument',
        /Invalid dataset name "bad name".*e\.g\./,
      ],
      [() => repo.datasets.publish('.hidden', 'sales'), 'InvalidArgument', /Invalid dataset name/],
      [
        () => repo.datasets.publish('d', 'absent'),
        'NotFound',
        /No collection "absent".*repo\.collections\(\)/,
      ],
      [() => repo.datasets.publish('d', 'bad/name'), 'InvalidArgument', /Invalid collection name/],
      [
        () => repo.datasets.publish('d', 42 as never),
        'InvalidArgument',
        /collection name or an object such as/,
      ],
      [() => repo.datasets.publish('d', {} as never), 'InvalidArgument', /needs a collection name, e\.g\./],
      [
        () => repo.datasets.publish('d', { collection: 'sales', labels: ['eu'] } as never),
        'InvalidArgument',
        /Unknown dataset target field "labels"/,
      ],
      [
        () => repo.datasets.publish('d', { collection: 'sales', revision: 'zzzzzz' }),
        'NotFound',
        /no revision "zzzzzz"/,
      ],
      [
        () => repo.datasets.publish('d', { collection: 'sales', revision: 'ab' }),
        'InvalidArgument',
        /at least 4/,
      ],
      [
        () => repo.datasets.publish('d', { collection: 'sales', series: ['eu', 'asia'] }),
        'NotFound',
        /no series "asia"; its series are eu, us/,
      ],
      [
        () => repo.datasets.publish('d', { collection: 'sales', series: [] }),
        'InvalidArgument',
        /non-empty array/,
      ],
      [
        () => repo.datasets.publish('d', { collection: 'sales', series: ['eu', 'eu'] }),
        'InvalidArgument',
        /twice/,
      ],
      [
        () => repo.datasets.publish('d', { collection: 'sales', start: day(3), stop: day(2) }),
        'InvalidArgument',
        /start .* must come before its stop/,
      ],
      [
        () => repo.datasets.publish('d', { collection: 'sales', start: 'soon' }),
        'InvalidArgument',
        /timestamp/,
      ],
      [
        () => repo.datasets.publish('d', 'sales', { overwrite: 'yes' } as never),
        'InvalidArgument',
        /overwrite must be/,
      ],
      [
        () => repo.datasets.publish('d', 'sales', { force: true } as never),
        'InvalidArgument',
        /Unknown publish option/,
      ],
      [
        () => repo.datasets.unpublish('d'),
        'NotFound',
        /No dataset "d" to unpublish; repo\.datasets\.list\(\)/,
      ],
      [() => repo.datasets.get('no/slash'), 'InvalidArgument', /Invalid dataset name/],
    ]
    for (const [call, code, message] of cases) {
      const error = await rejection(call())
      expect([error.code, error.message]).toEqual([code, expect.stringMatching(message)])
    }
    await repo.createCollection('empty', schema)
    const noRevision = await rejection(repo.datasets.publish('d', { collection: 'empty', revision: 'head' }))
    expect(noRevision.message).toMatch(/no revision yet to pin; write to it first/)
    expect(await keys(store, 'datasets/')).toEqual([])
    expect(await sales.labels()).toEqual(['eu', 'us'])
  })

  it('refuses a taken name (naming what it holds) unless overwrite, and unpublishes', async () => {
    const { repo } = await setup()
    await repo.createCollection('costs', schema)
    await repo.datasets.publish('shared', { collection: 'sales', series: ['eu'] })
    const taken = await rejection(repo.datasets.publish('shared', 'costs'))
    expect(taken.code).toBe('AlreadyExists')
    expect(taken.message).toBe(
      'Dataset "shared" already exists (collection "sales" at its head, series eu); pick another name, or pass { overwrite: true } to replace it.',
    )
    await repo.datasets.publish('shared', 'costs', { overwrite: true })
    expect((await repo.datasets.get('shared'))!.name).toBe('costs')
    await repo.datasets.publish('b-first', 'sales')
    expect(await repo.datasets.list()).toEqual(['b-first', 'shared'])
    await repo.datasets.unpublish('shared')
    expect(await repo.datasets.list()).toEqual(['b-first'])
    expect(await repo.datasets.get('shared')).toBeUndefined()
    expect((await rejection(repo.datasets.unpublish('shared'))).code).toBe('NotFound')
  })

  it('refuses to drop a published collection, naming the datasets', async () => {
    const { repo } = await setup()
    await repo.datasets.publish('a', 'sales')
    await repo.datasets.publish('b', { collection: 'sales', series: ['us'] })
    const refused = await rejection(repo.dropCollection('sales'))
    expect(refused.code).toBe('PreconditionFailed')
    expect(refused.message).toBe(
      'Collection "sales" is published as datasets "a", "b"; unpublish them first (repo.datasets.unpublish("a")), then drop the collection.',
    )
    expect(await repo.collections()).toEqual(['sales'])
    await repo.datasets.unpublish('a')
    await repo.datasets.unpublish('b')
    await repo.dropCollection('sales')
    expect(await repo.collections()).toEqual([])
  })

  it('settles a drop racing a publish: the dataset keeps its history, or the publish fails', async () => {
    const { store, sales } = await setup()
    // The publish lands between the drop's check and its removal of the name.
    const publisher = await Repo.open(store)
    let published = false
    const dropper = await Repo.open(
      withHook(store, 'delete', async (keys) => {
        if (!published && keys.includes('collections/sales')) {
          published = true
          await publisher.datasets.publish('late', 'sales')
        }
      }),
    )
    await dropper.dropCollection('sales')
    expect(await dropper.collections()).toEqual([])
    for (let run = 0; run < 2; run++) await dropper.gc({ gracePeriodMs: 0 })
    expect((await values((await dropper.datasets.get('late'))!, 'us')).t).toHaveLength(4)
    expect(await sales.log()).toHaveLength(1)

    // The drop removes the name after the publish read it, before its create.
    const again = await setup()
    const racing = await Repo.open(
      withHook(again.store, 'create', async (key) => {
        if (key === 'datasets/early') await again.repo.dropCollection('sales')
      }),
    )
    const failed = await rejection(racing.datasets.publish('early', 'sales'))
    expect(failed.code).toBe('NotFound')
    expect(failed.message).toBe(
      'Collection "sales" was dropped while dataset "early" was being published; nothing is published.',
    )
    expect(await racing.datasets.list()).toEqual([])
  })

  it('puts back the dataset an overwrite replaced when the collection is dropped meanwhile', async () => {
    const { store, repo } = await setup()
    await repo.createCollection('costs', schema)
    const before = await repo.datasets.publish('shared', { collection: 'sales', series: ['eu'] })
    // The drop removes "costs" after the publish read it, before its put.
    let dropped = false
    const racing = await Repo.open(
      withHook(store, 'put', async (key) => {
        if (!dropped && key === 'datasets/shared') {
          dropped = true
          await repo.dropCollection('costs')
        }
      }),
    )
    const failed = await rejection(racing.datasets.publish('shared', 'costs', { overwrite: true }))
    expect(failed.code).toBe('NotFound')
    expect(failed.message).toBe(
      'Collection "costs" was dropped while dataset "shared" was being published; nothing is published, and the dataset "shared" it was to replace is back as it was.',
    )
    expect(await racing.datasets.describe('shared')).toEqual(before)
    expect(await (await racing.datasets.get('shared'))!.labels()).toEqual(['eu'])
  })

  it('keeps pinned data through gc, even once the collection descriptor is gone', async () => {
    const { store, repo, sales } = await setup()
    const [first] = await sales.log()
    await repo.datasets.publish('old', { collection: 'sales', revision: first!.id })
    await sales.write({ eu: rows([1, 2, 3, 4], 2), us: rows([1, 2, 3, 4], 2) })
    // What an interrupted drop (or an older client's) leaves: the name gone, the history still there.
    await store.delete(['collections/sales'])
    for (let run = 0; run < 2; run++) await repo.gc({ gracePeriodMs: 0 })
    const fresh = await Repo.open(store)
    const old = (await fresh.datasets.get('old'))!
    expect(await values(old, 'eu')).toEqual({ t: [ms(1), ms(2), ms(3), ms(4)], v: [1, 1, 1, 1] })
    await fresh.datasets.unpublish('old')
    await fresh.gc({ gracePeriodMs: 0 })
    const result = await fresh.gc({ gracePeriodMs: 0 })
    expect(result.reachableObjects).toBe(0)
    expect(await keys(store, 'revisions/')).toEqual([])
  })

  it('publishes a partial replica: the dataset reads within both the replica and its own scope', async () => {
    const { store } = await setup()
    const upstream = await Repo.open(store)
    await (await upstream.collection('sales'))!.write({ asia: rows([1, 2, 3, 4]) })
    const local = await Repo.open(createMemoryStore())
    await replicate({ store, collection: 'sales' }, local, 'sales-eu', {
      series: ['eu', 'asia'],
      since: day(2),
    })
    await local.datasets.publish('whole', 'sales-eu')
    await local.datasets.publish('eu-early', { collection: 'sales-eu', series: ['eu'], stop: day(4) })
    const whole = (await local.datasets.get('whole'))!
    expect(await whole.labels()).toEqual(['asia', 'eu'])
    expect((await values(whole, 'asia')).t).toEqual([ms(2), ms(3), ms(4)])
    expect((await rejection((async () => whole.series('us'))())).message).toContain(
      `Series "us" is outside dataset "whole", which holds series asia, eu in index [${day(2)}, )`,
    )
    const early = (await local.datasets.get('eu-early'))!
    expect(await early.labels()).toEqual(['eu'])
    expect((await values(early, 'eu')).t).toEqual([ms(2), ms(3)])
    expect((await rejection(early.series('eu').read({ start: day(1) }))).code).toBe('OutOfScope')
    const refused = await rejection(local.dropCollection('sales-eu', { replica: true }))
    expect(refused.code).toBe('PreconditionFailed')
    for (let run = 0; run < 2; run++) await local.gc({ gracePeriodMs: 0 })
    expect((await values((await local.datasets.get('eu-early'))!, 'eu')).t).toEqual([ms(2), ms(3)])
  })

  it('costs one listing for list(), two GETs for get() and one for describe()', async () => {
    const store = createInstrumentedStore(createMemoryStore())
    const { repo } = await setup(store)
    for (let i = 0; i < 20; i++) await repo.datasets.publish(`d${String(i).padStart(2, '0')}`, 'sales')
    const other = await Repo.open(store)
    store.resetStats()
    expect(await other.datasets.list()).toHaveLength(20)
    expect(store.stats().total.requests).toBe(1)
    expect(store.stats().list.requests).toBe(1)
    store.resetStats()
    const view = (await other.datasets.get('d07'))!
    await other.datasets.describe('d07')
    expect(store.stats().total.requests).toBe(3)
    expect(store.stats().get.requests).toBe(3)
    expect((await values(view, 'eu')).t).toHaveLength(4)
  })
})
