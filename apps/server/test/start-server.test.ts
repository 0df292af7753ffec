import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Repo, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { startServer } from '../src/index.ts'

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return VarveError.is(error) ? error.code : String(error)
}

describe('startServer', () => {
  it('needs exactly one of repo and uri, and a token of at least 16 characters', async () => {
    const repo = await Repo.open('memory://')
    expect(await codeOf(startServer({ port: 0 }))).toBe('InvalidArgument')
    expect(await codeOf(startServer({ repo, uri: 'memory://', port: 0 }))).toBe('InvalidArgument')
    expect(await codeOf(startServer({ repo, port: 0, token: 'short' }))).toBe('InvalidArgument')
  })

  it('refuses a location that holds no repository, and creates nothing there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'varve-serve-empty-'))
    try {
      expect(await codeOf(startServer({ uri: join(dir, 'none'), port: 0, log: false }))).toBe('NotFound')
      expect(await codeOf(Repo.open(join(dir, 'none'), { create: false }))).toBe('NotFound')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('serves a repository opened from a uri, and a taken port is an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'varve-serve-'))
    try {
      await (await Repo.open(dir)).createCollection('c', { t: 'int64*', v: 'float64' })
      const server = await startServer({ uri: dir, port: 0, log: false })
      expect(server.repoUrl).toBe(`${server.url}/repo`)
      expect(await (await fetch(`${server.url}/api/collections`)).json()).toMatchObject({
        collections: [{ name: 'c' }],
      })
      const port = Number(new URL(server.url).port)
      expect(await codeOf(startServer({ uri: dir, port, log: false }))).toMatch(/EADDRINUSE/)
      await server.close()
      const page = await fetch(`${server.url}/`).catch((e: unknown) => e)
      expect(page).toBeInstanceOf(Error)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
