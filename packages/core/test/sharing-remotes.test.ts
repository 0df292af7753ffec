import {
  createMemoryStore,
  publish,
  Repo,
  type RepoOptions,
  registerStoreScheme,
  replicate,
  type Store,
  type StoreOpenOptions,
  VarveError,
} from '@varve/core'
import { describe, expect, it } from 'vitest'
import { day, failure, schema } from './sharing-support.ts'

// A scheme of this test's own that records the options every open was given,
// as an S3-compatible store would take its endpoint.
const opened: { uri: string; options: StoreOpenOptions }[] = []
const stores = new Map<string, Store>()
registerStoreScheme('remotes-test', (uri, options) => {
  opened.push({ uri: uri.href, options })
  let store = stores.get(uri.href)
  if (store === undefined) {
    store = createMemoryStore({ description: uri.href })
    stores.set(uri.href, store)
  }
  return store
})

const endpoint = { endpoint: 'https://minio.internal:9000', forcePathStyle: true }
const remotes: RepoOptions['remotes'] = (uri) => (uri.startsWith('remotes-test://') ? endpoint : undefined)

describe('RepoOptions.remotes', () => {
  it('gives its options to the stores a reopened Repo opens from recorded links, and to URI remotes', async () => {
    const local = createMemoryStore()
    const publisher = await Repo.open(local, { remotes })
    const sales = await publisher.createCollection('sales', schema)
    await sales.series('a').write({ timestamp: [day(1)], value: [1] })
    await publish(sales, 'remotes-test://hub#sales')
    await publisher.close()

    // Another process: the upstream is known only by its recorded URI.
    opened.length = 0
    const reopened = await Repo.open(local, { remotes })
    const again = (await reopened.collection('sales'))!
    await again.series('a').write({ timestamp: [day(2)], value: [2] })
    expect((await again.push()).map((r) => r.revisions)).toEqual([1])
    expect(opened).toEqual([{ uri: 'remotes-test://hub', options: endpoint }])

    opened.length = 0
    const consumer = await Repo.open(createMemoryStore(), { remotes })
    await replicate('remotes-test://hub#sales', consumer, 'mirror')
    const copy = await consumer.createCollection('copy', { source: 'remotes-test://hub#sales' })
    await consumer.push('remotes-test://backup')
    expect(await copy.log()).toHaveLength(2)
    expect(opened).toEqual([
      { uri: 'remotes-test://hub', options: endpoint },
      { uri: 'remotes-test://backup', options: endpoint },
    ])

    // Without the option, a recorded link opens with none (what a library user got before).
    opened.length = 0
    const bare = await Repo.open(local)
    await (await bare.collection('sales'))!.push()
    expect(opened).toEqual([{ uri: 'remotes-test://hub', options: {} }])
  })

  it('refuses a remotes option that is not a function, before making a repository', async () => {
    const store = createMemoryStore()
    const error = await failure(() => Repo.open(store, { remotes: { endpoint: 'x' } as never }))
    expect(VarveError.is(error, 'InvalidArgument')).toBe(true)
    expect(error.message).toMatch(/remotes option must be a function/)
    const keys: string[] = []
    for await (const key of store.list('')) keys.push(key)
    expect(keys).toEqual([])
  })
})
