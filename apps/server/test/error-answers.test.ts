import { Writable } from 'node:stream'
import { createMemoryStore, type ErrorCode, Repo, type Store, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/index.ts'
import { rawRequest } from './raw-request.ts'

// Where the server's store lives, which its failures name and no answer may.
const LOCAL_ROOT = '/srv/varve-private/bucket-7f3a'
let server: RunningServer
const logLines: string[] = []

// Reading `fail/<code>` throws a VarveError of that code naming the local root.
function failingStore(): Store {
  const inner = createMemoryStore()
  return {
    ...inner,
    async get(key) {
      const code = /^fail\/(\w+)$/.exec(key)?.[1]
      if (code === undefined) return inner.get(key)
      throw new VarveError(code as ErrorCode, `Could not read ${LOCAL_ROOT}/${key}: disk on fire.`)
    },
  }
}

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).trim().split('\n'))
      done()
    },
  })
  server = await startServer({ repo: await Repo.open(failingStore()), port: 0, log: { stream } })
})
afterAll(() => server?.close())

describe('error answers', () => {
  it('a 5xx answer keeps the code, hides the message, and names the request the log holds', async () => {
    for (const [code, status] of [
      ['StoreFailure', 500],
      ['Integrity', 500],
      ['Unsupported', 501],
      ['Transient', 503],
    ] as const) {
      const answer = await rawRequest(server.url, `/repo/fail/${code}`)
      expect(answer.status, code).toBe(status)
      const { error } = JSON.parse(answer.body.toString()) as { error: { code: string; message: string } }
      expect(error.code).toBe(code)
      expect(answer.body.toString()).not.toContain(LOCAL_ROOT)
      const requestId = /the server failed; its log holds the cause \(request ([^)]+)\)/i.exec(
        error.message,
      )?.[1]
      expect(requestId, error.message).toBeDefined()
      const logged = logLines
        .map((line) => JSON.parse(line) as { reqId?: string; err?: { message?: string } })
        .find((entry) => entry.reqId === requestId && entry.err !== undefined)
      expect(logged?.err?.message).toContain(`${LOCAL_ROOT}/fail/${code}`)
    }
  })

  it('a 4xx answer still says what was wrong', async () => {
    const answer = await rawRequest(server.url, '/api/collections/nothing')
    expect(answer.status).toBe(404)
    expect(JSON.parse(answer.body.toString()).error.message).toMatch(/No collection "nothing"/)
  })
})
