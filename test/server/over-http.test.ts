import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpStore, Repo, replicate, VarveError } from '@varve/core'
import { type RunningServer, startServer } from '@varve/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyProblems, readRepoContents } from '../sync/repo-contents.ts'
import { buildSourceRepo } from '../sync/source-repo.ts'

const TOKEN = 'over-http-test-token-0123456789'
let root: string
let sourceDir: string
let server: RunningServer

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'varve-over-http-'))
  sourceDir = join(root, 'source')
  await buildSourceRepo(sourceDir, join(root, 'side'))
  server = await startServer({ uri: sourceDir, port: 0, token: TOKEN, log: false })
})
afterAll(async () => {
  await server?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

describe('a repository served by a Varve server, over HTTP', () => {
  it('pull into a folder copies every collection, revision and series; a second pull is up to date', async () => {
    const targetDir = join(root, 'pulled')
    const target = await Repo.open(targetDir)
    await target.pull(server.repoUrl)
    await target.close()
    const problems = copyProblems(await readRepoContents(sourceDir), await readRepoContents(targetDir), true)
    expect(problems).toEqual([])
    const again = await (await Repo.open(targetDir)).pull(server.repoUrl)
    expect(again.collections.length).toBe(3)
    expect(again.collections.every((c) => c.upToDate && c.objects === 0)).toBe(true)
  })

  it('replicate(http://…#collection) makes a read-only replica that pull() brings up to date', async () => {
    const source = await Repo.open(sourceDir)
    const [name] = await source.collections()
    const sourceCollection = (await source.collection(name!))!
    const [label] = await sourceCollection.labels()
    const repo = await Repo.open(join(root, 'replica'))
    const replica = await replicate(`${server.repoUrl}#${name}`, repo, 'mirror')
    expect(replica.readOnly).toBe(true)
    const read = async () => (await replica.series(label!).read()).length
    expect(await read()).toBe((await sourceCollection.series(label!).read()).length)

    const last = (await sourceCollection.series(label!).read()).length
    const schema = sourceCollection.schema
    const index = schema.indexColumns[0]!.name
    const lastRow = [...(await sourceCollection.series(label!).read()).rows()].at(-1)!
    const next: Record<string, unknown[]> = {}
    for (const column of schema.columns) {
      const value = lastRow[column.name]
      next[column.name] = [column.name === index ? new Date((value as Date).getTime() + 3_600_000) : value]
    }
    await sourceCollection.series(label!).write(next)
    await replica.pull()
    expect(await read()).toBe(last + 1)
    const refused = await replica
      .series(label!)
      .write(next)
      .catch((e: unknown) => e)
    expect(VarveError.is(refused, 'ReadOnly')).toBe(true)
  })

  it('pushes to the server with the bearer token, and is refused without it', async () => {
    const local = await Repo.open(join(root, 'pusher'))
    const temps = await local.createCollection('pushed', { timestamp: 'timestamp*', value: 'float64' })
    await temps.series('x').write({ timestamp: ['2026-01-01'], value: [42] })
    const refused = await temps.push(server.repoUrl).catch((e: unknown) => e)
    expect(VarveError.is(refused, 'PermissionDenied')).toBe(true)
    await temps.push(createHttpStore({ url: server.repoUrl, token: TOKEN }))
    const onServer = await (await Repo.open(sourceDir)).collection('pushed')
    expect([...(await onServer!.series('x').read()).rows()][0]?.value).toBe(42)
  })
})
