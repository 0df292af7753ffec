import { dirname, join } from 'node:path'
import { VarveError } from '@varve/core'
import { afterEach, describe, expect } from 'vitest'
import { replaceFolderFsync } from '../src/folder-sync.ts'
import { logFlushes } from './flush-log.ts'
import { it } from './store-fixture.ts'
import { filesUnder } from './temp-folder.ts'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array | undefined) =>
  data === undefined ? undefined : new TextDecoder().decode(data)

afterEach(() => replaceFolderFsync(undefined))

describe('createInOrder', () => {
  it('creates every entry in order, reports taken keys without touching them, and leaves no temporary file', async ({
    root,
    store,
  }) => {
    await store.create('log/b', bytes('theirs'))
    const landed: [number, boolean][] = []
    const created = await store.createInOrder!(
      [
        ['log/a', bytes('one')],
        ['log/b', bytes('two')],
        ['other/c', bytes('three')],
      ],
      (index, made) => landed.push([index, made]),
    )
    expect(created).toEqual([true, false, true])
    expect(landed).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ])
    expect(text(await store.get('log/a'))).toBe('one')
    expect(text(await store.get('log/b'))).toBe('theirs')
    expect(text(await store.get('other/c'))).toBe('three')
    expect(await filesUnder(root)).toEqual(['log/a', 'log/b', 'other/c'])
  })

  it('stops at the first failure, keeping the entries before it and no temporary file', async ({
    root,
    store,
  }) => {
    await store.put('log/b/below', bytes('a folder of keys stands at log/b'))
    const landed: number[] = []
    const error = await store.createInOrder!(
      [
        ['log/a', bytes('one')],
        ['log/b', bytes('two')],
        ['log/c', bytes('three')],
      ],
      (index) => landed.push(index),
    ).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(VarveError.is(error, 'Unsupported')).toBe(true)
    expect(landed).toEqual([0])
    expect(text(await store.get('log/a'))).toBe('one')
    expect(await store.get('log/c')).toBeUndefined()
    expect(await filesUnder(root)).toEqual(['log/a', 'log/b/below'])
  })

  it('checks every key and byte array before writing anything', async ({ store }) => {
    await expect(
      store.createInOrder!([
        ['ok', bytes('x')],
        ['bad//key', bytes('y')],
      ]),
    ).rejects.toSatisfy((e: unknown) => VarveError.is(e, 'InvalidKey'))
    expect(await store.get('ok')).toBeUndefined()
  })

  it('links each entry and flushes its folder before linking the next, each reported after its flush', async ({
    root,
    store,
  }) => {
    await store.create('log/b', bytes('theirs'))
    const keys = ['log/a', 'log/b', 'other/c', 'log/d', 'deep/er/e']
    const log = logFlushes(root)
    const created = store.createInOrder!(
      keys.map((key) => [key, bytes(key)]),
      (index) => log.events.push({ kind: 'landed', key: keys[index]! }),
    )
    await log.resolved('all', created)
    expect(await created).toEqual([true, false, true, true, true])
    for (const [i, key] of keys.entries()) {
      const next = keys.slice(i + 1).find((later) => later !== 'log/b')
      // A flush of its folder that started once it was linked and ended before the next link.
      const flushed = log.coveredAt(dirname(join(root, key)), key, next)
      expect(flushed, key).toBeGreaterThanOrEqual(0)
      expect(flushed, key).toBeLessThan(log.indexOf('landed', key))
      expect(log.durableAt(key), key).toBeLessThan(log.indexOf('landed', key))
      if (i + 1 < keys.length)
        expect(log.indexOf('landed', key)).toBeLessThan(log.indexOf('landed', keys[i + 1]!))
    }
    expect(log.indexOf('landed', keys.at(-1)!)).toBeLessThan(log.indexOf('resolve', 'all'))
  })
})
