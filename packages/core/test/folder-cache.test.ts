import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createInstrumentedStore,
  createMemoryStore,
  type FolderCachedStoreOptions,
  openFolderCachedStore,
  Repo,
  Schema,
  type Store,
  VarveError,
} from '@varve/core'
import { afterEach, describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const day = (d: number) => Date.UTC(2020, 0, d)
const bytes = (text: string) => new TextEncoder().encode(text)

const folders: string[] = []
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true })
})

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'varve-folder-cache-'))
  folders.push(folder)
  return folder
}

/** The "remote": an instrumented memory store, and the keys every get and getRange asked for. */
function remote() {
  const memory = createMemoryStore()
  const counted = createInstrumentedStore(memory)
  const reads: string[] = []
  const store: Store = {
    ...counted,
    get: (key) => {
      reads.push(key)
      return counted.get(key)
    },
    getRange: (key, range) => {
      reads.push(key)
      return counted.getRange(key, range)
    },
  }
  const objectReads = () => reads.filter((key) => key.startsWith('objects/'))
  return { memory, counted, store, reads, objectReads }
}

/** Files under `folder`, as keys; temporary dot-files left out. */
async function cachedKeys(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(folder.length + 1)
        .replaceAll('\\', '/'),
    )
    .sort()
}

const fileOf = (folder: string, key: string) => join(folder, ...key.split('/'))

async function read(repo: Repo, label: string, options = {}) {
  const frame = await (await repo.collection('c'))!.series(label).read(options)
  return {
    t: [...(frame.column('timestamp') as BigInt64Array)],
    v: [...(frame.column('value') as Float64Array)],
  }
}

describe('Repo with cache.folder', () => {
  it.each([
    ['memory and folder', {}],
    ['the folder alone', { memoryBytes: 0 }],
  ])(
    'a fresh Repo on the same folder reads an unchanged series without fetching an object (%s)',
    async (_, tiers) => {
      const folder = await tempFolder()
      const { memory, counted, store, reads, objectReads } = remote()
      const writer = await Repo.open(store, { cache: { folder, ...tiers } })
      const c = await writer.createCollection('c', schema)
      await c.series('small').write({ timestamp: [1, 2, 3].map(day), value: [1, 2, 3] })
      const rows = 60_000
      const big = Float64Array.from({ length: rows }, () => Math.random())
      await c.series('big').write({ timestamp: Array.from({ length: rows }, (_, i) => i * 1000), value: big })
      const sizes = await Promise.all(
        (await cachedKeys(folder)).map(async (k) => (await memory.get(k))!.length),
      )
      expect(Math.max(...sizes), 'a chunk large enough to be read by ranges').toBeGreaterThan(256 * 1024)

      reads.length = 0
      counted.resetStats()
      const reader = await Repo.open(store, { cache: { folder, ...tiers } })
      expect(await read(reader, 'small')).toEqual({ t: [1, 2, 3].map((d) => BigInt(day(d))), v: [1, 2, 3] })
      const part = await read(reader, 'big', { start: 20_000_000, stop: 21_000_000 })
      expect(part.v).toEqual([...big.subarray(20_000, 21_001)])
      expect((await read(reader, 'big')).v).toEqual([...big])

      expect(objectReads()).toEqual([])
      expect(reads.length, 'revisions are still read from the store').toBeGreaterThan(0)
      expect(counted.stats().list.requests, 'listings are never cached').toBeGreaterThan(0)
      expect((await cachedKeys(folder)).every((k) => k.startsWith('objects/'))).toBe(true)
    },
  )

  it('sees revisions another writer made: listings always reach the store', async () => {
    const folder = await tempFolder()
    const { store } = remote()
    const reader = await Repo.open(store, { cache: { folder } })
    await (await reader.createCollection('c', schema)).series('a').write({ timestamp: [day(1)], value: [1] })
    expect((await read(reader, 'a')).v).toEqual([1])

    const other = await Repo.open(store, { cache: { folder: await tempFolder() } })
    await (await other.collection('c'))!.series('a').write({ timestamp: [day(2)], value: [2] })
    expect((await read(reader, 'a')).v).toEqual([1, 2])
    expect((await read(await Repo.open(store, { cache: { folder } }), 'a')).v).toEqual([1, 2])
  })

  it('serves correct data when cached files are damaged or truncated, fetching them again', async () => {
    const folder = await tempFolder()
    const { store, objectReads } = remote()
    const writer = await Repo.open(store, { cache: { folder } })
    await (await writer.createCollection('c', schema)).series('a').write({
      timestamp: [1, 2, 3].map(day),
      value: [1, 2, 3],
    })
    const keys = await cachedKeys(folder)
    for (const [i, key] of keys.entries()) {
      const file = await readFile(fileOf(folder, key))
      if (i % 2 === 0) file[file.length - 1] = file[file.length - 1]! ^ 0xff
      await writeFile(fileOf(folder, key), i % 2 === 0 ? file : file.subarray(0, file.length - 1))
    }
    expect((await read(await Repo.open(store, { cache: { folder } }), 'a')).v).toEqual([1, 2, 3])
    expect(objectReads().length).toBe(keys.length)
    expect((await read(await Repo.open(store, { cache: { folder } }), 'a')).v).toEqual([1, 2, 3])
    expect(objectReads().length, 'the refetched objects were cached again').toBe(keys.length)
  })

  it('refuses bad cache options with InvalidArgument and writes nothing', async () => {
    const folder = await tempFolder()
    const file = join(folder, 'a-file')
    await writeFile(file, 'not a folder')
    const { memory } = remote()
    for (const cache of [
      { folderBytes: 1024 },
      { folder: 42 },
      { folder: '' },
      { folder, folderBytes: 0 },
      { folder, folderBytes: 1.5 },
      { memoryBytes: -1 },
      'big',
      { folder: file },
      { folder: join(file, 'below') },
    ]) {
      const error = await Repo.open(memory, { cache: cache as never }).catch((e: unknown) => e)
      expect(VarveError.is(error, 'InvalidArgument'), `${JSON.stringify(cache)}: ${String(error)}`).toBe(true)
    }
    const written: string[] = []
    for await (const key of memory.list('')) written.push(key)
    expect(written).toEqual([])
  })
})

describe('openFolderCachedStore', () => {
  async function setup(options: Partial<FolderCachedStoreOptions> = {}) {
    const folder = await tempFolder()
    const inner = createInstrumentedStore(createMemoryStore())
    const open = (more: Partial<FolderCachedStoreOptions> = {}) =>
      openFolderCachedStore(inner, { folder, ...options, ...more })
    const gets = () => inner.stats().get.requests
    return { folder, inner, cached: await open(), open, gets }
  }

  it('evicts the least recently used files beyond maxBytes, and the oldest at open', async () => {
    const fileBytes = 18 + 'objects/a'.length + 100 // header, key, object
    const { folder, inner, cached, open, gets } = await setup({ maxBytes: 3 * fileBytes })
    for (const k of 'abcd') await inner.put(`objects/${k}`, new Uint8Array(100).fill(k.charCodeAt(0)))
    for (const k of 'abca') await cached.get(`objects/${k}`)
    await cached.get('objects/d') // b, the least recently used, goes
    expect(await cachedKeys(folder)).toEqual(['objects/a', 'objects/c', 'objects/d'])
    expect(cached.cacheStats()).toMatchObject({ hits: 1, misses: 4, bytes: 3 * fileBytes, entries: 3 })
    await cached.get('objects/a')
    expect(gets()).toBe(4)

    for (const [i, k] of ['d', 'a', 'c'].entries()) {
      const time = new Date(Date.UTC(2020, 0, 1 + i))
      await utimes(fileOf(folder, `objects/${k}`), time, time)
    }
    const reopened = await open({ maxBytes: 2 * fileBytes })
    expect(await cachedKeys(folder)).toEqual(['objects/a', 'objects/c'])
    expect(reopened.cacheStats()).toMatchObject({ bytes: 2 * fileBytes, entries: 2 })
  })

  it('treats a damaged, truncated or misplaced file as a miss, never wrong bytes', async () => {
    const { folder, inner, cached, gets } = await setup()
    await inner.put('objects/x', bytes('the bytes of x'))
    await inner.put('objects/y', bytes('the bytes of y'))
    await cached.get('objects/x')
    const path = fileOf(folder, 'objects/x')
    const good = await readFile(path)
    const damaged = Buffer.from(good)
    damaged[damaged.length - 3] = damaged[damaged.length - 3]! ^ 0x01
    // Another key's file at y's path: what a case-insensitive file system does to 'X' and 'x'.
    for (const [key, file] of [
      ['objects/x', damaged],
      ['objects/x', good.subarray(0, good.length - 2)],
      ['objects/x', Buffer.from('junk')],
      ['objects/y', good],
    ] as const) {
      await writeFile(fileOf(folder, key), file)
      const before = gets()
      expect(await cached.get(key)).toEqual(await inner.get(key))
      expect(gets() - before).toBe(2) // the refetch, and the comparison's get
      expect(await cached.get(key)).toEqual(await inner.get(key))
      expect(gets() - before, 'cached again').toBe(3)
    }
    expect(cached.cacheStats().failures).toBe(4)
    expect(VarveError.is(cached.cacheStats().lastFailure, 'StoreFailure')).toBe(true)
    expect(cached.cacheStats().lastFailure?.message).toContain('objects/y')
  })

  it('writes through, removes copies on delete, and keeps a read racing a delete out of the folder', async () => {
    const { folder, inner, cached, gets } = await setup()
    await cached.put('objects/w', bytes('written'))
    expect(await cachedKeys(folder)).toEqual(['objects/w'])
    expect(await cached.get('objects/w')).toEqual(bytes('written'))
    expect(gets()).toBe(0)
    await cached.delete(['objects/w'])
    expect(await cachedKeys(folder)).toEqual([])
    expect(await cached.get('objects/w')).toBeUndefined()
    expect(cached.cacheStats()).toMatchObject({ bytes: 0, entries: 0 })

    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let fetched!: () => void
    const got = new Promise<void>((resolve) => {
      fetched = resolve
    })
    const get = async (key: string) => {
      const found = await inner.get(key)
      fetched()
      await gate
      return found
    }
    const slow = await openFolderCachedStore({ ...inner, get }, { folder })
    await inner.put('objects/r', bytes('old'))
    const reading = slow.get('objects/r')
    await got
    await slow.delete(['objects/r'])
    release()
    expect(await reading).toEqual(bytes('old'))
    expect(await cachedKeys(folder)).toEqual([])
  })

  it('leaves no copy when two writes of a key overlap', async () => {
    const { folder, inner } = await setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    // The first put reaches the store first but reports last.
    let calls = 0
    const racy: Store = {
      ...inner,
      put: async (key, b) => {
        const first = calls++ === 0
        await inner.put(key, b)
        if (first) await gate
      },
    }
    const cached = await openFolderCachedStore(racy, { folder })
    const first = cached.put('objects/k', bytes('one'))
    await cached.put('objects/k', bytes('two'))
    release()
    await first
    expect(await cached.get('objects/k')).toEqual(bytes('two'))
  })

  it('serves ranges from a cached whole object, passes others through, never caches the rest', async () => {
    const isCacheable = (key: string) => key.startsWith('objects/')
    const { folder, inner, cached, gets } = await setup({ isCacheable })
    const whole = Uint8Array.from({ length: 100 }, (_, i) => i)
    await inner.put('objects/r', whole)
    await inner.put('revisions/x', bytes('a revision'))
    expect(await cached.getRange('objects/r', { offset: 10, length: 5 })).toEqual(whole.slice(10, 15))
    expect(await cachedKeys(folder)).toEqual([])
    await cached.get('objects/r')
    expect(await cached.getRange('objects/r', { offset: 95, length: 10 })).toEqual(whole.slice(95))
    expect(inner.stats().getRange.requests).toBe(1)

    await cached.get('revisions/x')
    await cached.put('revisions/y', bytes('another'))
    expect(await cachedKeys(folder)).toEqual(['objects/r'])
    await inner.put('objects/new', bytes('new'))
    const listed: string[] = []
    for await (const key of cached.list('objects/')) listed.push(key)
    expect(listed).toEqual(['objects/new', 'objects/r'])
    expect(gets()).toBe(2)
  })

  it('lets processes share one folder while files vanish underneath', async () => {
    const { folder, inner, open, gets } = await setup()
    const objects = new Map(
      Array.from({ length: 40 }, (_, i) => [`objects/${i % 4}/${i}`, bytes(`object ${i} `.repeat(i + 1))]),
    )
    for (const [key, value] of objects) await inner.put(key, value)
    const readers = await Promise.all([1, 2, 3, 4].map(() => open()))
    const readAll = () =>
      Promise.all(
        readers.flatMap((reader) =>
          [...objects].map(async ([key, value]) => expect(await reader.get(key)).toEqual(value)),
        ),
      )
    await readAll()
    await Promise.all([readAll(), rm(join(folder, 'objects', '2'), { recursive: true, force: true })])
    await readAll()

    const fresh = await open()
    const before = gets()
    for (const [key, value] of objects) expect(await fresh.get(key)).toEqual(value)
    expect(gets()).toBe(before)
    expect(readers.every((r) => r.cacheStats().failures === 0)).toBe(true)
  })

  it('counts a copy it cannot write, and the call still succeeds', async () => {
    const { folder, cached } = await setup()
    await cached.put('a', bytes('a file'))
    await cached.put('a/b', bytes('cannot live under a file'))
    expect(await cached.get('a/b')).toEqual(bytes('cannot live under a file'))
    expect(cached.cacheStats().failures).toBeGreaterThan(0)
    expect(cached.cacheStats().lastFailure?.message).toContain(folder)
  })

  it('removes temporary files a dead writer left, and only old ones', async () => {
    const { folder, open } = await setup()
    await mkdir(join(folder, 'objects'), { recursive: true })
    const old = join(folder, 'objects', '.vrc-0123.tmp')
    const live = join(folder, 'objects', '.vrc-4567.tmp')
    await writeFile(old, 'partial')
    await writeFile(live, 'partial')
    await utimes(old, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000))
    await open()
    await expect(stat(old)).rejects.toMatchObject({ code: 'ENOENT' })
    expect((await stat(live)).isFile()).toBe(true)
    expect((await open()).cacheStats().entries).toBe(0)
  })

  it('refuses bad options with InvalidArgument', async () => {
    const folder = await tempFolder()
    const inner = createMemoryStore()
    for (const options of [
      { folder: '' },
      { folder, maxBytes: 0 },
      { folder, maxBytes: -5 },
      { folder, maxBytes: 1.5 },
      { folder, isCacheable: 'objects/' },
      {},
    ]) {
      const error = await openFolderCachedStore(inner, options as never).catch((e: unknown) => e)
      expect(VarveError.is(error, 'InvalidArgument'), `${JSON.stringify(options)}: ${String(error)}`).toBe(
        true,
      )
    }
  })
})
