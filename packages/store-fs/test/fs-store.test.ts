import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { compareKeys, VarveError } from '@varve/core'
import { describe, expect } from 'vitest'
import { createFsStore } from '../src/fs-store.ts'
import type { FsStoreOptions } from '../src/options.ts'
import { it } from './store-fixture.ts'
import { filesUnder } from './temp-folder.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const key of keys) all.push(key)
  return all
}

async function failure(promise: Promise<unknown>): Promise<VarveError> {
  try {
    await promise
  } catch (error) {
    if (VarveError.is(error)) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('options', () => {
  it.each([
    ['no options', undefined, /must be an object/],
    ['no root', {}, /needs a root folder/],
    ['an empty root', { root: '' }, /needs a root folder/],
    ['a root that is not a string', { root: 42 }, /needs a root folder/],
    ['another scheme', { root: 's3://bucket/prefix' }, /s3:\/\/ URI.*store package for that scheme/],
    ['a non-file URL object', { root: new URL('https://example.com/data') }, /must use the file:\/\/ scheme/],
    ['a file URL naming a host', { root: 'file://server/share' }, /does not name a local folder/],
    ['a NUL in the root', { root: 'da\u0000ta' }, /NUL/],
    ['fsync that is not a boolean', { root: 'data', fsync: 'yes' }, /fsync must be true or false/],
    ['an unknown option', { root: 'data', fsynk: true }, /Unknown fs store option "fsynk"/],
  ])('refuses %s with InvalidArgument', (_, options, message) => {
    let caught: unknown
    try {
      createFsStore(options as unknown as FsStoreOptions)
    } catch (error) {
      caught = error
    }
    expect(VarveError.is(caught, 'InvalidArgument')).toBe(true)
    expect((caught as Error).message).toMatch(message)
  })

  it('takes a file:// URL, as a string or a URL, and writes under that folder', async ({ folder }) => {
    const url = pathToFileURL(join(folder, 'by url'))
    const fromString = createFsStore({ root: url.href })
    const fromUrl = createFsStore({ root: url, fsync: false })
    expect(fromString.description).toBe(url.href)
    expect(fromUrl.description).toBe(url.href)
    await fromString.put('a/b', bytes('from string'))
    expect(await readFile(join(folder, 'by url', 'a', 'b'), 'utf8')).toBe('from string')
    expect(await fromUrl.get('a/b')).toEqual(bytes('from string'))
  })

  it('resolves a relative root against the current folder, and describes it as a file:// URL', ({
    root,
    store,
  }) => {
    const relative = createFsStore({ root: 'some/data' })
    expect(relative.description).toBe(pathToFileURL(resolve('some/data')).href)
    expect(store.description).toBe(pathToFileURL(root).href)
    expect(store.description).toMatch(/^file:\/\/\//)
    expect(store.capabilities).toEqual({ atomicCreate: true, rangeRead: true })
  })

  it('works without fsync', async ({ root }) => {
    const fast = createFsStore({ root, fsync: false })
    await fast.put('p/q', bytes('put'))
    await fast.create('p/r', bytes('created'))
    expect(await collect(fast.list('p/'))).toEqual(['p/q', 'p/r'])
  })
})

describe('layout', () => {
  it('maps each key to the file named by its segments under the root, unicode included', async ({
    root,
    store,
  }) => {
    const key = 'données/été/日本語/🙂 x'
    await store.put(key, bytes('unicode'))
    await store.create('top', bytes('top'))
    expect(await readFile(join(root, 'données', 'été', '日本語', '🙂 x'), 'utf8')).toBe('unicode')
    expect(await filesUnder(root)).toEqual(['données/été/日本語/🙂 x', 'top'])
    expect(await collect(store.list('donn'))).toEqual([key])
  })

  it('never writes outside the root, and refuses keys that would leave it', async ({ folder, store }) => {
    for (const key of ['../escape', '/absolute', 'a/../../escape', 'a/./b', '.hidden', 'a\\..\\b', 'C:/x']) {
      expect((await failure(store.put(key, bytes('x')))).code).toBe('InvalidKey')
      expect((await failure(store.create(key, bytes('x')))).code).toBe('InvalidKey')
      expect((await failure(store.get(key))).code).toBe('InvalidKey')
      expect((await failure(store.delete([key]))).code).toBe('InvalidKey')
    }
    expect(await readdir(folder)).toEqual([])
    await store.put('a..b/c..d', bytes('dots inside segments'))
    await store.create('x/y/z', bytes('deep'))
    await store.delete(['x/y/z'])
    expect(await readdir(folder)).toEqual(['root'])
    expect(await filesUnder(folder)).toEqual(['root/a..b/c..d'])
  })

  it('leaves no temporary file behind and ignores dot-files in listings and reads', async ({
    root,
    store,
  }) => {
    await store.put('k/a', bytes('1'))
    await store.put('k/a', bytes('2'))
    await store.create('k/b', bytes('3'))
    await failure(store.create('k/b', bytes('4')))
    expect(await filesUnder(root)).toEqual(['k/a', 'k/b'])

    // What a crash or the OS leaves around: never listed.
    await writeFile(join(root, 'k', '.tmp-1-deadbeef'), 'half a writ')
    await writeFile(join(root, '.DS_Store'), '')
    await mkdir(join(root, '.hidden-folder'))
    await writeFile(join(root, '.hidden-folder', 'x'), '')
    await writeFile(join(root, 'not:a:key'), '')
    expect(await collect(store.list(''))).toEqual(['k/a', 'k/b'])
    expect(await store.get('k/a')).toEqual(bytes('2'))
  })

  it('removes the folders a delete leaves empty, never the root nor a folder still in use', async ({
    root,
    store,
  }) => {
    await store.put('a/b/c/one', bytes('1'))
    await store.put('a/b/two', bytes('2'))
    await store.delete(['a/b/c/one'])
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['two'])
    await store.delete(['a/b/two', 'a/b/missing', 'never/there'])
    expect(await readdir(root)).toEqual([])
    await store.put('a/b/c/one', bytes('again'))
    expect(await store.get('a/b/c/one')).toEqual(bytes('again'))
  })

  it('keeps writes working while deletes remove their folders', async ({ store }) => {
    const rounds = 40
    for (let round = 0; round < rounds; round++) {
      const key = (i: number) => `busy/${round % 2}/deep/k${i}`
      await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => store.put(key(i), bytes(`${round}`))),
        ...Array.from({ length: 6 }, (_, i) => store.delete([key(i)])),
        store.create(`busy/${round % 2}/deep/c${round}`, bytes('c')),
      ])
      await store.delete(Array.from({ length: 6 }, (_, i) => key(i)))
    }
    const left = await collect(store.list('busy/'))
    expect(left).toHaveLength(rounds)
    for (const key of left) expect(await store.get(key)).toEqual(bytes('c'))
  })

  it('retries a write whose folder a concurrent delete removes before the write lands in it', async ({
    root,
    store,
  }) => {
    // A thread that removes the folders whenever they are empty, as a concurrent
    // delete does after its last file, until it has removed them `budget` times:
    // the moment between a write making its folder and creating its temporary
    // file there is the race to survive. Every round starts with the folders
    // gone, so every write makes them.
    const budget = 6
    const stop = new Int32Array(new SharedArrayBuffer(4))
    const remover = new Worker(
      `const { rmdirSync } = require('node:fs')
       const { workerData, parentPort } = require('node:worker_threads')
       let removed = 0
       while (removed < workerData.budget && Atomics.load(workerData.stop, 0) === 0) {
         for (const folder of workerData.folders) {
           try { if (removed < workerData.budget) { rmdirSync(folder); removed++ } } catch {}
         }
       }
       parentPort.postMessage(removed)`,
      { eval: true, workerData: { stop, budget, folders: [join(root, 'busy', 'deep'), join(root, 'busy')] } },
    )
    let spent = false
    const removed = new Promise<number>((resolve) => remover.once('message', resolve)).finally(() => {
      spent = true
    })
    try {
      for (let round = 0; round < 500 && !spent; round++) {
        const key = `busy/deep/k${round}`
        if (round % 2 === 0) await store.put(key, bytes(key))
        else await store.create(key, bytes(key))
        expect(await store.get(key)).toEqual(bytes(key))
        await store.delete([key])
      }
    } finally {
      Atomics.store(stop, 0, 1)
    }
    expect(await removed).toBe(budget)
    await remover.terminate()
  })
})

describe('reads and listings', () => {
  it('reads ranges with positioned reads: shorter at the end, empty past it', async ({ store }) => {
    await store.put('r', bytes('0123456789'))
    expect(await store.getRange('r', { offset: 2, length: 3 })).toEqual(bytes('234'))
    expect(await store.getRange('r', { offset: 8, length: 100 })).toEqual(bytes('89'))
    expect(await store.getRange('r', { offset: 10, length: 5 })).toEqual(new Uint8Array(0))
    expect(await store.getRange('r', { offset: 50, length: Number.MAX_SAFE_INTEGER })).toEqual(
      new Uint8Array(0),
    )
    expect(await store.getRange('missing', { offset: 0, length: 1 })).toBeUndefined()
  })

  it('lists in UTF-8 byte order across folders', async ({ store }) => {
    const keys = ['a', 'a/b', 'a/b/c', 'a-c', 'a0', 'a/b-', 'a/b/d', 'ab', 'é', '\uffff', '😀', 'Z', 'a/c']
    for (const key of ['a-c', 'a/b-', 'a0', 'ab', 'é', '\uffff', '😀', 'Z', 'a/c'])
      await store.put(key, bytes(key))
    await store.put('a/b/c', bytes('c'))
    await store.put('a/b/d', bytes('d'))
    // 'a' and 'a/b' cannot both be files and folders here; list what the folder can hold.
    const held = keys.filter((key) => key !== 'a' && key !== 'a/b')
    expect(await collect(store.list(''))).toEqual([...held].sort(compareKeys))
    expect(await collect(store.list('a'))).toEqual(['a-c', 'a/b-', 'a/b/c', 'a/b/d', 'a/c', 'a0', 'ab'])
    expect(await collect(store.list('a/'))).toEqual(['a/b-', 'a/b/c', 'a/b/d', 'a/c'])
    expect(await collect(store.list('a/b'))).toEqual(['a/b-', 'a/b/c', 'a/b/d'])
    expect(await collect(store.list('a/b/'))).toEqual(['a/b/c', 'a/b/d'])
    expect(await collect(store.list('a/b/c'))).toEqual(['a/b/c'])
    expect(await collect(store.list('a/x/'))).toEqual([])
    expect(await collect(store.list('a-c/'))).toEqual([])
  })

  it('lists and reads a missing root as empty', async ({ folder }) => {
    const missing = createFsStore({ root: join(folder, 'nothing', 'here') })
    expect(await collect(missing.list(''))).toEqual([])
    expect(await missing.get('a/b')).toBeUndefined()
    await missing.delete(['a/b'])
    expect(await readdir(folder)).toEqual([])
  })
})

describe('a file where a folder is needed', () => {
  it('refuses an object beneath another object with Unsupported, reading it as absent', async ({ store }) => {
    await store.put('a', bytes('file'))
    for (const write of [store.put('a/b', bytes('x')), store.create('a/b/c', bytes('x'))]) {
      const error = await failure(write)
      expect(error.code).toBe('Unsupported')
      expect(error.message).toContain('"a/b')
      expect(error.message).toContain(store.description)
    }
    expect(await store.get('a/b')).toBeUndefined()
    expect(await store.getRange('a/b', { offset: 0, length: 1 })).toBeUndefined()
    await store.delete(['a/b'])
    expect(await collect(store.list('a'))).toEqual(['a'])
  })

  it('refuses an object where a folder of keys stands, instead of calling it taken', async ({
    root,
    store,
  }) => {
    await store.put('x/y', bytes('inside'))
    expect((await failure(store.put('x', bytes('x')))).code).toBe('Unsupported')
    expect((await failure(store.create('x', bytes('x')))).code).toBe('Unsupported')
    expect(await store.get('x')).toBeUndefined()
    expect(await store.getRange('x', { offset: 0, length: 1 })).toBeUndefined()
    await store.delete(['x'])
    expect(await collect(store.list(''))).toEqual(['x/y'])
    expect(await filesUnder(root)).toEqual(['x/y'])
  })

  it('says so when the root itself is a file', async ({ folder }) => {
    await writeFile(join(folder, 'plain-file'), 'not a folder')
    const broken = createFsStore({ root: join(folder, 'plain-file') })
    const error = await failure(broken.put('k', bytes('x')))
    expect(error.code).toBe('StoreFailure')
    expect(error.message).toMatch(/the root is not a folder/)
    expect((await failure(broken.put('a/b', bytes('x')))).message).toMatch(/the root is not a folder/)
    expect(await broken.get('k')).toBeUndefined()
    expect(await collect(broken.list(''))).toEqual([])
  })
})

describe('input checks', () => {
  it('refuses bytes that are not a Uint8Array and writes nothing', async ({ folder, store }) => {
    const error = await failure(store.put('k', 'text' as unknown as Uint8Array))
    expect(error.code).toBe('InvalidArgument')
    expect((await failure(store.create('k', undefined as unknown as Uint8Array))).code).toBe(
      'InvalidArgument',
    )
    expect(await readdir(folder)).toEqual([])
  })

  it('returns plain Uint8Arrays that the caller may change', async ({ store }) => {
    await store.put('k', Buffer.from('buffer in'))
    const read = await store.get('k')
    expect(Object.getPrototypeOf(read)).toBe(Uint8Array.prototype)
    read![0] = 0
    expect(await store.get('k')).toEqual(bytes('buffer in'))
  })
})
