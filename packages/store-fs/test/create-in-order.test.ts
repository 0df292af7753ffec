import { dirname, join } from 'node:path'
import { type CreateEntry, VarveError } from '@varve/core'
import { afterEach, describe, expect } from 'vitest'
import { replaceFolderFsync } from '../src/folder-sync.ts'
import { logFlushes } from './flush-log.ts'
import { it } from './store-fixture.ts'
import { filesUnder } from './temp-folder.ts'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array | undefined) =>
  data === undefined ? undefined : new TextDecoder().decode(data)
const entries = (keys: readonly string[]): CreateEntry[] => keys.map((key) => [key, bytes(key)])

afterEach(() => replaceFolderFsync(undefined))

describe('createInOrder', () => {
  it('creates every entry of every level, reports taken keys without touching them, and leaves no temporary file', async ({
    root,
    store,
  }) => {
    await store.create('log/b', bytes('theirs'))
    const landed: [number, number, boolean][] = []
    const created = await store.createInOrder!(
      [
        [['log/a', bytes('one')]],
        [],
        [
          ['log/b', bytes('two')],
          ['other/c', async () => bytes('three')],
        ],
      ],
      { onCreated: (level, index, made) => landed.push([level, index, made]) },
    )
    expect(created).toEqual([[true], [], [false, true]])
    expect(landed.sort()).toEqual([
      [0, 0, true],
      [2, 0, false],
      [2, 1, true],
    ])
    expect(text(await store.get('log/a'))).toBe('one')
    expect(text(await store.get('log/b'))).toBe('theirs')
    expect(text(await store.get('other/c'))).toBe('three')
    expect(await filesUnder(root)).toEqual(['log/a', 'log/b', 'other/c'])
  })

  it('stops at the first failure, keeping the levels before it, nothing after it and no temporary file', async ({
    root,
    store,
  }) => {
    await store.put('log/b/below', bytes('a folder of keys stands at log/b'))
    const landed: string[] = []
    const levels = [entries(['log/a']), entries(['log/b']), entries(['log/c', 'log/d'])]
    const error = await store.createInOrder!(levels, {
      onCreated: (level, index) => landed.push(levels[level]![index]![0]),
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(VarveError.is(error, 'Unsupported')).toBe(true)
    expect(landed).toEqual(['log/a'])
    expect(text(await store.get('log/a'))).toBe('log/a')
    expect(await filesUnder(root)).toEqual(['log/a', 'log/b/below'])
  })

  it('fails with the error of a function giving bytes, landing nothing after its level and leaving no temporary file', async ({
    root,
    store,
  }) => {
    const broken = new VarveError('Integrity', 'corrupted source object')
    const error = await store.createInOrder!([
      entries(['a/1', 'a/2']),
      [
        ['b/1', bytes('b/1')],
        [
          'b/2',
          async () => {
            throw broken
          },
        ],
      ],
      entries(['c/1']),
    ]).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBe(broken)
    // Later levels' files are written ahead: the first level may or may not have landed by then.
    const left = await filesUnder(root)
    expect(left.filter((file) => !['a/1', 'a/2', 'b/1'].includes(file))).toEqual([])
  })

  it('checks every key, byte array and the concurrency before writing anything', async ({ store }) => {
    await expect(store.createInOrder!([entries(['ok']), entries(['bad//key'])])).rejects.toSatisfy(
      (e: unknown) => VarveError.is(e, 'InvalidKey'),
    )
    await expect(store.createInOrder!([[['ok', 'text' as unknown as Uint8Array]]])).rejects.toSatisfy(
      (e: unknown) => VarveError.is(e, 'InvalidArgument'),
    )
    await expect(store.createInOrder!([entries(['ok'])], { concurrency: 0 })).rejects.toSatisfy(
      (e: unknown) => VarveError.is(e, 'InvalidArgument'),
    )
    expect(await store.get('ok')).toBeUndefined()
  })

  it('lands a level only once every entry of the levels before is durable, new folders included', async ({
    root,
    store,
  }) => {
    await store.create('log/b', bytes('theirs'))
    const levels = [['log/a', 'log/b', 'other/c'], ['log/d'], ['deep/er/e', 'deep/f', 'log/g']]
    const log = logFlushes(root)
    const created = store.createInOrder!(levels.map(entries), {
      concurrency: 2,
      onCreated: (level, index) => log.events.push({ kind: 'landed', key: levels[level]![index]! }),
    })
    await log.resolved('all', created)
    expect(await created).toEqual([[true, false, true], [true], [true, true, true]])
    for (const [l, level] of levels.entries()) {
      for (const key of level) {
        // Durable: the folder and each new folder on the way flushed after the link.
        expect(log.durableAt(key), key).toBeLessThan(log.indexOf('resolve', 'all'))
        for (const next of levels[l + 1] ?? []) {
          expect(log.durableAt(key), `${key} before ${next}`).toBeLessThan(log.indexOf('landed', next))
          // A flush of its folder that started once it was linked, and ended before the next level's link.
          expect(
            log.coveredAt(dirname(join(root, key)), key, next),
            `${key} before ${next}`,
          ).toBeGreaterThanOrEqual(0)
        }
      }
    }
  })

  it('flushes each folder once per level, however many entries land in it', async ({ root, store }) => {
    const keys = Array.from({ length: 24 }, (_, i) => `log/${String(i).padStart(2, '0')}`)
    await store.create('log/first', bytes('makes the folder'))
    const log = logFlushes(root)
    await store.createInOrder!([entries(keys.slice(0, 12)), entries(keys.slice(12))])
    const flushes = log.events.filter((e) => e.kind === 'start' && e.folder === join(root, 'log'))
    expect(flushes).toHaveLength(2)
    expect(await filesUnder(join(root, 'log'))).toEqual(['first', ...keys.map((key) => key.slice(4))].sort())
  })
})

describe('stage', () => {
  it('writes the bytes aside at once, and createInOrder lands that file instead of writing another', async ({
    root,
    store,
  }) => {
    const staged = store.stage!(bytes('early'))
    // Written aside before any key is known: one file in the staging folder.
    await expect.poll(async () => (await filesUnder(root)).length).toBe(1)
    const [aside] = await filesUnder(root)
    expect(aside).toMatch(/^\.staging\/\.tmp-/)
    expect(await store.createInOrder!([[['log/a', staged]], [['log/b', bytes('late')]]])).toEqual([
      [true],
      [true],
    ])
    expect(text(await store.get('log/a'))).toBe('early')
    expect(text(await store.get('log/b'))).toBe('late')
    expect(await filesUnder(root)).toEqual(['log/a', 'log/b'])
  })

  it('called instead of landed (by a wrapper, or to drop it), gives the bytes and leaves nothing aside', async ({
    root,
    store,
  }) => {
    const staged = store.stage!(bytes('dropped'))
    expect(text(await staged())).toBe('dropped')
    expect(await filesUnder(root)).toEqual([])
    // A wrapper's function around it: createInOrder writes the bytes it gives, the staged copy is gone.
    const wrapped = store.stage!(bytes('wrapped'))
    expect(await store.createInOrder!([[['log/w', () => wrapped()]]])).toEqual([[true]])
    expect(text(await store.get('log/w'))).toBe('wrapped')
    expect(await filesUnder(root)).toEqual(['log/w'])
    // Once landed, calling it still gives the bytes and removes nothing.
    const landed = store.stage!(bytes('landed'))
    await store.createInOrder!([[['log/l', landed]]])
    expect(text(await landed())).toBe('landed')
    expect(text(await store.get('log/l'))).toBe('landed')
  })

  it('a failure drops the staged files it did not land', async ({ root, store }) => {
    await store.put('log/b/below', bytes('a folder of keys stands at log/b'))
    const levels: CreateEntry[][] = [
      [['log/a', store.stage!(bytes('a'))]],
      [['log/b', store.stage!(bytes('b'))]],
      [
        ['log/c', store.stage!(bytes('c'))],
        ['log/d', bytes('d')],
      ],
    ]
    const error = await store.createInOrder!(levels).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(VarveError.is(error, 'Unsupported')).toBe(true)
    expect(await filesUnder(root)).toEqual(['log/a', 'log/b/below'])
  })

  it('refuses what is not a byte array before writing anything', async ({ root, store }) => {
    expect(() => store.stage!('text' as unknown as Uint8Array)).toThrow(VarveError)
    // The store's folder is made by its first write: still absent.
    await expect(filesUnder(root)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
