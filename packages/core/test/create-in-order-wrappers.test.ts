import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createCachedStore,
  createInstrumentedStore,
  createMemoryStore,
  openFolderCachedStore,
  type Store,
  VarveError,
} from '@varve/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createInOrder } from '../src/store/create-in-order.ts'
import { openTieredCacheStore } from '../src/store/tiered-cache-store.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

const folders: string[] = []
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })))
})

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'varve-wrappers-'))
  folders.push(folder)
  return folder
}

/** A memory store with a `createInOrder` of its own (as the fs store has), recording the keys of each call. */
function orderedStore(): { store: Store; calls: string[][] } {
  const memory = createMemoryStore()
  const calls: string[][] = []
  const store: Store = {
    ...memory,
    createInOrder: (levels, options) => {
      calls.push(levels.flatMap((level) => level.map(([key]) => key)))
      return createInOrder(memory, levels, options)
    },
  }
  return { store, calls }
}

const wrappers: [string, (inner: Store) => Promise<Store>][] = [
  ['createInstrumentedStore', async (inner) => createInstrumentedStore(inner)],
  ['createCachedStore', async (inner) => createCachedStore(inner, { maxBytes: 1024 })],
  ['openFolderCachedStore', async (inner) => openFolderCachedStore(inner, { folder: await tempFolder() })],
  ['openTieredCacheStore, memory tier', async (inner) => openTieredCacheStore(inner, {}, () => true)],
  [
    'openTieredCacheStore, folder tier',
    async (inner) => openTieredCacheStore(inner, { memoryBytes: 0, folder: await tempFolder() }, () => true),
  ],
  [
    'openTieredCacheStore, both tiers',
    async (inner) => openTieredCacheStore(inner, { folder: await tempFolder() }, () => true),
  ],
]

describe.each(wrappers)('%s', (_, wrap) => {
  it("uses the inner store's createInOrder, passing levels, results and onCreated through", async () => {
    const { store: inner, calls } = orderedStore()
    await inner.create('log/b', bytes('theirs'))
    const wrapped = await wrap(inner)
    expect(wrapped.createInOrder).toBeTypeOf('function')
    const landed: [number, number, boolean][] = []
    const created = await createInOrder(
      wrapped,
      [
        [['log/a', bytes('log/a')]],
        [
          ['log/b', bytes('log/b')],
          ['log/c', async () => bytes('log/c')],
        ],
      ],
      { concurrency: 1, onCreated: (l, i, made) => landed.push([l, i, made]) },
    )
    expect(created).toEqual([[true], [false, true]])
    expect(landed).toEqual([
      [0, 0, true],
      [1, 0, false],
      [1, 1, true],
    ])
    expect(calls).toEqual([['log/a', 'log/b', 'log/c']])
    expect(await wrapped.get('log/a')).toEqual(bytes('log/a'))
    expect(await wrapped.get('log/b')).toEqual(bytes('theirs'))
    expect(await wrapped.get('log/c')).toEqual(bytes('log/c'))
  })

  it('has no createInOrder when the inner store has none', async () => {
    const wrapped = await wrap(createMemoryStore())
    expect('createInOrder' in wrapped).toBe(false)
  })
})

describe('createInstrumentedStore', () => {
  it('counts createInOrder as the creates it stands for: per entry a request, a key and its bytes', async () => {
    const { store: inner } = orderedStore()
    const store = createInstrumentedStore(inner)
    await store.createInOrder!([[['a', bytes('abc')]], [['b', async () => bytes('de')]]])
    await expect(store.createInOrder!([[['bad//key', bytes('x')]]])).rejects.toSatisfy((e) =>
      VarveError.is(e, 'InvalidKey'),
    )
    expect(store.stats().create).toEqual({ requests: 3, bytes: 6, keys: 3, errors: 1 })
  })
})

describe('openFolderCachedStore', () => {
  it('writes the objects createInOrder created through to the folder, not those it found taken', async () => {
    const { store: ordered } = orderedStore()
    const inner = createInstrumentedStore(ordered)
    await inner.create('b', bytes('theirs'))
    const store = await openFolderCachedStore(inner, { folder: await tempFolder() })
    await store.createInOrder!([
      [['a', bytes('ours')]],
      [['b', bytes('not written')]],
      [['c', async () => bytes('read')]],
    ])
    inner.resetStats()
    expect(await store.get('a')).toEqual(bytes('ours'))
    expect(inner.stats().get.requests).toBe(0)
    expect(await store.get('c')).toEqual(bytes('read'))
    expect(inner.stats().get.requests).toBe(0)
    expect(await store.get('b')).toEqual(bytes('theirs'))
    expect(inner.stats().get.requests).toBe(1)
  })
})
