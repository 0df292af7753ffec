import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Repo, registerStoreScheme, Schema, VarveError } from '@varve/core'
import { afterAll, describe, expect, it } from 'vitest'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })

async function folder() {
  const dir = await mkdtemp(join(tmpdir(), 'varve-uri-'))
  dirs.push(dir)
  return dir
}

describe('Repo.open by location', () => {
  it('opens a folder by relative path, absolute path and file:// URI: the same repository', async () => {
    const dir = await folder()
    const byPath = await Repo.open(relative(process.cwd(), dir))
    await (await byPath.createCollection('c', schema))
      .series('a')
      .write({ timestamp: ['2020-01-01'], value: [1] })
    expect(byPath.store.description).toBe(pathToFileURL(dir).href)
    for (const location of [dir, pathToFileURL(dir).href]) {
      const repo = await Repo.open(location, { create: false })
      expect(await (await repo.collection('c'))!.labels()).toEqual(['a'])
    }
    // Besides the repository's layout, only the fs store's staging folder (see store-fs's README).
    expect((await readdir(dir)).sort()).toEqual([
      '.staging',
      'collections',
      'objects',
      'revisions',
      'varve.json',
    ])
  })

  it('shares memory://name within the process, and gives each memory:// its own store', async () => {
    const a = await Repo.open('memory://shared-test')
    await a.createCollection('c', schema)
    expect(await (await Repo.open('memory://shared-test')).collections()).toEqual(['c'])
    expect(await (await Repo.open('memory://')).collections()).toEqual([])
  })

  it('names the package to install for a scheme whose store is absent, and refuses unknown schemes', async () => {
    registerStoreScheme('absent', { packageName: '@varve/store-absent', exportName: 'openAbsentStore' })
    const missing = await Repo.open('absent://bucket/prefix').catch((e: unknown) => e)
    expect(VarveError.is(missing, 'Unsupported')).toBe(true)
    expect((missing as Error).message).toMatch(/needs the package @varve\/store-absent/)
    const unknown = await Repo.open('ftp://host/x').catch((e: unknown) => e)
    expect(VarveError.is(unknown, 'Unsupported')).toBe(true)
    expect((unknown as Error).message).toMatch(/registerStoreScheme/)
  })

  it('never prints credentials from a URI', async () => {
    const error = await Repo.open('ftp://user:secret@host/x?token=abc').catch((e: unknown) => e)
    expect((error as Error).message).not.toMatch(/secret|abc/)
  })
})

describe('push and pull between folder and memory stores', () => {
  it('round-trips a repository fs → memory → fs', async () => {
    const source = await folder()
    const repo = await Repo.open(source)
    const c = await repo.createCollection('c', schema)
    await c.series('a').write({ timestamp: ['2020-01-01', '2020-01-02'], value: [1, 2] })
    await repo.push('memory://sync-test')
    const back = await folder()
    const copy = await Repo.clone('memory://sync-test', back)
    const values = (await (await copy.collection('c'))!.series('a').read()).column('value')
    expect([...(values as Float64Array)]).toEqual([1, 2])
    expect((await (await copy.collection('c'))!.log()).map((r) => r.id)).toEqual(
      (await c.log()).map((r) => r.id),
    )
  })
})
