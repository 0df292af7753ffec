import { mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect } from 'vitest'
import { flushFolder, keepFolderHandles, replaceFolderFsync } from '../src/folder-sync.ts'
import { logFlushes } from './flush-log.ts'
import { it } from './store-fixture.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

afterEach(() => replaceFolderFsync(undefined))

describe('flushFolder', () => {
  it('resolves each call after an fsync that started after it; calls made while one runs share the next', async ({
    folder,
  }) => {
    const log: string[] = []
    let fsyncs = 0
    replaceFolderFsync(async (path, fsync) => {
      const n = ++fsyncs
      log.push(`start ${n}`)
      await fsync(path)
      log.push(`end ${n}`)
    })
    const call = (n: number) => {
      log.push(`call ${n}`)
      return flushFolder(folder).then(() => log.push(`resolve ${n}`))
    }
    await Promise.all([call(1), call(2), call(3)])
    await call(4)
    expect(fsyncs).toBe(3)
    for (const n of [1, 2, 3, 4]) {
      const covering = [1, 2, 3].filter(
        (f) =>
          log.indexOf(`start ${f}`) > log.indexOf(`call ${n}`) &&
          log.indexOf(`end ${f}`) < log.indexOf(`resolve ${n}`),
      )
      expect(covering, `call ${n} in ${log.join(', ')}`).not.toEqual([])
    }
  })

  it('resolves for a folder that no longer exists', async ({ folder }) => {
    await expect(flushFolder(join(folder, 'gone'))).resolves.toBeUndefined()
  })
})

describe('keepFolderHandles', () => {
  /** Counts the fsyncs of each folder from now on. */
  function countFsyncs(): Map<string, number> {
    const counts = new Map<string, number>()
    replaceFolderFsync(async (path, fsync) => {
      counts.set(path, (counts.get(path) ?? 0) + 1)
      await fsync(path)
    })
    return counts
  }

  it.skipIf(process.platform === 'win32')(
    'flushes a kept folder with one fsync, across writers; a folder made again at its path through a new handle',
    async ({ folder }) => {
      const target = join(folder, 'kept')
      await mkdir(target)
      const counts = countFsyncs()
      await keepFolderHandles().flush(target)
      const later = keepFolderHandles()
      await later.flush(target)
      await later.flush(target)
      expect(counts.get(target)).toBe(3)
      // Removed and made again: the kept handle holds the old folder, which the flush must not stop at.
      await rm(target, { recursive: true })
      await mkdir(target)
      await later.flush(target)
      expect(counts.get(target)).toBe(5)
      await later.flush(target)
      expect(counts.get(target)).toBe(6)
    },
  )

  it('resolves for a folder removed since its handle was kept', async ({ folder }) => {
    const target = join(folder, 'gone')
    await mkdir(target)
    await keepFolderHandles().flush(target)
    await rm(target, { recursive: true })
    await expect(keepFolderHandles().flush(target)).resolves.toBeUndefined()
    await expect(keepFolderHandles().flush(target)).resolves.toBeUndefined()
  })
})

describe('a write resolves only once it and every folder on its path are flushed', () => {
  it('puts and creates, many at once, in new folders and old', async ({ folder, root, store }) => {
    const log = logFlushes(folder)
    const keys = Array.from(
      { length: 15 },
      (_, i) => [`log/k${i}`, `top-${i}`, `deep/${i % 2}/k${i}`][i % 3]!,
    )
    await Promise.all(
      keys.map((key, i) =>
        log.resolved(key, i % 2 === 0 ? store.put(key, bytes(key)) : store.create(key, bytes(key))),
      ),
    )
    for (const key of keys) {
      const flushed = log.coveredAt(dirname(join(root, key)), `root/${key}`)
      expect(flushed, `${key}: its own folder`).toBeGreaterThanOrEqual(0)
      expect(log.durableAt(`root/${key}`), key).toBeLessThan(log.indexOf('resolve', key))
    }
  })

  it('two writers landing in one new folder at once: neither resolves before its parent is flushed', async ({
    root,
    store,
  }) => {
    await store.put('first', bytes('the root exists'))
    const log = logFlushes(root, { folder: root, delay: 100 })
    await Promise.all([
      log.resolved('x/a', store.put('x/a', bytes('a'))),
      log.resolved('x/b', store.create('x/b', bytes('b'))),
    ])
    for (const key of ['x/a', 'x/b']) {
      expect(log.durableAt(key), key).toBeLessThan(log.indexOf('resolve', key))
    }
  })

  it('a writer landing in a folder another has just made waits for the flush of its parent', async ({
    root,
    store,
  }) => {
    await store.put('first', bytes('the root exists'))
    const log = logFlushes(root, { folder: root, delay: 100 })
    const parentFlushed = log.started(root)
    const maker = log.resolved('x/a', store.put('x/a', bytes('a')))
    // The folder is there now, its entry in the root on its way to the disk: this put's open finds it.
    await parentFlushed
    await Promise.all([maker, log.resolved('x/b', store.put('x/b', bytes('b')))])
    for (const key of ['x/a', 'x/b']) {
      expect(log.durableAt(key), key).toBeLessThan(log.indexOf('resolve', key))
    }
  })
})
