import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpStore, Repo, replicate, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeStaticIndexes } from '../src/index.ts'
import { makeRepoFolder, type RepoFolder } from './fixtures.ts'
import { startStaticServer } from './static-file-server.ts'

let folder: RepoFolder
let host: Awaited<ReturnType<typeof startStaticServer>>
let noRanges: Awaited<ReturnType<typeof startStaticServer>>

beforeAll(async () => {
  folder = await makeRepoFolder(20_000)
  expect(await writeStaticIndexes(folder.repoDir)).toBeGreaterThan(5)
  host = await startStaticServer(folder.root)
  noRanges = await startStaticServer(folder.root, { ranges: false })
})
afterAll(async () => {
  await host?.close()
  await noRanges?.close()
  await folder?.cleanup()
})

describe('a repository published as static files with listing indexes', () => {
  it('opens over plain HTTP and reads collections, series, the log and the past', async () => {
    const repo = await Repo.open(`${host.url}/repo`)
    expect(await repo.collections()).toEqual(['prices', 'temperature'])
    const temps = (await repo.collection('temperature'))!
    expect(await temps.labels()).toEqual(['Brussels', 'Paris'])
    const local = (await folder.repo.collection('temperature'))!
    const frame = await temps.series('Brussels').read({ start: '2024-01-05', stop: '2024-01-06' })
    expect(
      frame.equals(await local.series('Brussels').read({ start: '2024-01-05', stop: '2024-01-06' })),
    ).toBe(true)
    const log = await temps.log()
    expect(log.map((r) => r.id)).toEqual((await local.log()).map((r) => r.id))
    expect((await temps.at(log[0]!.id).series('Brussels').read()).length).toBe(10_000)
    // Listed by index files, never by a server's listing endpoint after the first try.
    expect(host.requests.filter((p) => p.endsWith('/.varve/list')).length).toBe(1)
    expect(host.requests.some((p) => p.endsWith('.varve-index.json'))).toBe(true)
  })

  it('pulls into a local folder, and a host that ignores Range still gives the right bytes', async () => {
    const target = await mkdtemp(join(tmpdir(), 'varve-static-pull-'))
    try {
      const copy = await Repo.open(target)
      await copy.pull(`${noRanges.url}/repo`)
      const brussels = await (await copy.collection('temperature'))!.series('Brussels').read()
      const original = await (await folder.repo.collection('temperature'))!.series('Brussels').read()
      expect(brussels.equals(original)).toBe(true)
      expect((await copy.pull(`${host.url}/repo`)).collections.length).toBe(2)
    } finally {
      await rm(target, { recursive: true, force: true })
    }
  })

  it("reads through Repo.open's cache: a second read of a range fetches no object again", async () => {
    const repo = await Repo.open(`${host.url}/repo`)
    const brussels = (await repo.collection('temperature'))!.series('Brussels')
    const objectRequests = () => host.requests.filter((p) => p.startsWith('/repo/objects/')).length
    const range = { start: '2024-01-03', stop: '2024-01-04' }
    const before = objectRequests()
    const first = await brussels.read(range)
    const afterFirst = objectRequests()
    expect(afterFirst).toBeGreaterThan(before)
    expect((await brussels.read(range)).equals(first)).toBe(true)
    expect(objectRequests()).toBe(afterFirst)
  })

  it('replicates a collection from the static copy (read-only replica)', async () => {
    const target = await mkdtemp(join(tmpdir(), 'varve-static-replica-'))
    try {
      const replica = await replicate(`${host.url}/repo#temperature`, await Repo.open(target), 'temps')
      expect(replica.readOnly).toBe(true)
      expect((await replica.series('Paris').read()).length).toBe(10)
      expect((await replica.pull()).upToDate).toBe(true)
    } finally {
      await rm(target, { recursive: true, force: true })
    }
  })

  it('lists by prefix inside and across folders; a folder without an index is empty', async () => {
    const store = createHttpStore({ url: `${host.url}/repo`, listing: 'static' })
    const keys = async (prefix: string) => {
      const out: string[] = []
      for await (const key of store.list(prefix)) out.push(key)
      return out
    }
    expect(await keys('collections/')).toEqual(['collections/prices', 'collections/temperature'])
    expect(await keys('collections/t')).toEqual(['collections/temperature'])
    expect(await keys('coll')).toEqual(['collections/prices', 'collections/temperature'])
    expect(await keys('revisions/none/')).toEqual([])
    const every = await keys('')
    expect(every).toContain('varve.json')
    expect(every.some((k) => k.includes('.varve-index'))).toBe(false)
    expect([...every].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(every)
  })

  it('a URL with no repository and no index is a StoreFailure that names the fix', async () => {
    const store = createHttpStore({ url: `${host.url}/nothing-here` })
    const error = await (async () => {
      for await (const _ of store.list('collections/')) return undefined
    })().catch((e: unknown) => e)
    expect(VarveError.is(error, 'StoreFailure')).toBe(true)
    expect((error as Error).message).toMatch(/\.varve-index\.json/)
    const missing = await Repo.open(`${host.url}/nothing-here`, { create: false }).catch((e: unknown) => e)
    expect(VarveError.is(missing, 'NotFound')).toBe(true)
  })
})
