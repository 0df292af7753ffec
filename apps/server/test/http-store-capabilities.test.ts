import { tmpdir } from 'node:os'
import { createHttpStore, createMemoryStore, openStore, Repo, type Store } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/index.ts'
import { rawRequest } from './raw-request.ts'
import { startStaticServer } from './static-file-server.ts'

const TOKEN = 'capabilities-token-0123456789abcdef'
let atomic: RunningServer
let notAtomic: RunningServer

// A store that cannot promise exactly-one-winner creates, as S3 with atomicCreate: false or the GCS emulator.
function nonAtomicStore(): Store {
  return { ...createMemoryStore(), capabilities: { atomicCreate: false, rangeRead: true } }
}

beforeAll(async () => {
  atomic = await startServer({ repo: await Repo.open('memory://'), port: 0, token: TOKEN, log: false })
  notAtomic = await startServer({
    repo: await Repo.open(nonAtomicStore()),
    port: 0,
    token: TOKEN,
    log: false,
  })
})
afterAll(async () => {
  await atomic?.close()
  await notAtomic?.close()
})

describe("the http store's atomicCreate is what the server's store guarantees", () => {
  it('the server answers its store capabilities at /repo/.varve/capabilities', async () => {
    for (const [server, expected] of [
      [atomic, true],
      [notAtomic, false],
    ] as const) {
      const answer = await rawRequest(server.url, '/repo/.varve/capabilities')
      expect(answer.status).toBe(200)
      expect(JSON.parse(answer.body.toString())).toEqual({ atomicCreate: expected })
    }
  })

  it('openStore (and so Repo.open) with a token asks the server', async () => {
    expect((await openStore(atomic.repoUrl, { token: TOKEN })).capabilities.atomicCreate).toBe(true)
    expect((await openStore(notAtomic.repoUrl, { token: TOKEN })).capabilities.atomicCreate).toBe(false)
    const repo = await Repo.open(notAtomic.repoUrl, { store: { token: TOKEN } })
    expect(repo.store.capabilities.atomicCreate).toBe(false)
  })

  it('without a token, on a static host, or from createHttpStore without the option, it is false', async () => {
    expect((await openStore(atomic.repoUrl)).capabilities.atomicCreate).toBe(false)
    expect(createHttpStore({ url: atomic.repoUrl, token: TOKEN }).capabilities.atomicCreate).toBe(false)
    const given = createHttpStore({ url: atomic.repoUrl, token: TOKEN, atomicCreate: true })
    expect(given.capabilities.atomicCreate).toBe(true)
    const host = await startStaticServer(tmpdir())
    try {
      const store = await openStore(`${host.url}/repo`, { token: TOKEN })
      expect(store.capabilities.atomicCreate).toBe(false)
      expect(host.requests).toEqual(['/repo/.varve/capabilities'])
    } finally {
      await host.close()
    }
  })
})
