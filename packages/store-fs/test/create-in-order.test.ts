import { join } from 'node:path'
import { type Store, VarveError } from '@varve/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flushFolder } from '../src/folder-sync.ts'
import { createFsStore } from '../src/fs-store.ts'
import { filesUnder, makeTempFolder, removeFolder } from './temp-folder.ts'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array | undefined) =>
  data === undefined ? undefined : new TextDecoder().decode(data)

let folder: string
let root: string
let store: Store

beforeEach(async () => {
  folder = await makeTempFolder()
  root = join(folder, 'root')
  store = createFsStore({ root })
})
afterEach(async () => {
  await removeFolder(folder)
})

describe('createInOrder', () => {
  it('creates every entry in order, reports taken keys without touching them, and leaves no temporary file', async () => {
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

  it('stops at the first failure, keeping the entries before it and no temporary file', async () => {
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

  it('checks every key and byte array before writing anything', async () => {
    await expect(
      store.createInOrder!([
        ['ok', bytes('x')],
        ['bad//key', bytes('y')],
      ]),
    ).rejects.toSatisfy((e: unknown) => VarveError.is(e, 'InvalidKey'))
    expect(await store.get('ok')).toBeUndefined()
  })
})

describe('flushFolder', () => {
  it('lets calls made while a flush runs share the next flush, never the running one', async () => {
    const first = flushFolder(folder)
    const second = flushFolder(folder)
    const third = flushFolder(folder)
    expect(second).not.toBe(first)
    expect(third).toBe(second)
    await Promise.all([first, second, third])
    // Idle again: a new call starts a flush of its own.
    const fourth = flushFolder(folder)
    expect(fourth).not.toBe(second)
    await fourth
  })

  it('resolves for a folder that no longer exists', async () => {
    await expect(flushFolder(join(folder, 'gone'))).resolves.toBeUndefined()
  })
})
