import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHttpStore, openStore, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// A server that answers what each test tells it to, counting requests per path.
let server: Server
let base: string
const answers = new Map<string, number[]>()
const hits = new Map<string, number>()

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const queue = answers.get(path) ?? []
    const status = queue.length > 1 ? queue.shift()! : (queue[0] ?? 404)
    if (status === 0) return // never answers
    res
      .writeHead(status, status === 503 ? { 'retry-after': '0' } : {})
      .end(status === 200 ? 'ok' : `status ${status}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
)

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return VarveError.is(error)
    ? error.code
    : error === undefined
      ? undefined
      : `not a VarveError: ${String(error)}`
}

describe('http store errors', () => {
  it('retries 503 and 429 on reads, then answers', async () => {
    answers.set('/r/a', [503, 429, 200])
    const store = createHttpStore({ url: `${base}/r` })
    expect(new TextDecoder().decode(await store.get('a'))).toBe('ok')
    expect(hits.get('/r/a')).toBe(3)
  })

  it('gives up after the retries with Transient; a create is never retried', async () => {
    answers.set('/r/b', [503])
    const store = createHttpStore({ url: `${base}/r`, token: 'a-token-of-sufficient-length', retries: 2 })
    expect(await codeOf(store.get('b'))).toBe('Transient')
    expect(hits.get('/r/b')).toBe(3)
    answers.set('/r/c', [503])
    expect(await codeOf(store.create('c', new Uint8Array([1])))).toBe('Transient')
    expect(hits.get('/r/c')).toBe(1)
  })

  it('maps 401/403 to PermissionDenied, 412 on create to AlreadyExists, 500 to Transient, 400 to StoreFailure', async () => {
    const store = createHttpStore({ url: `${base}/r`, token: 'a-token-of-sufficient-length', retries: 0 })
    answers.set('/r/d', [401])
    expect(await codeOf(store.put('d', new Uint8Array([1])))).toBe('PermissionDenied')
    answers.set('/r/d', [403])
    expect(await codeOf(store.delete(['d']))).toBe('PermissionDenied')
    answers.set('/r/d', [412])
    expect(await codeOf(store.create('d', new Uint8Array([1])))).toBe('AlreadyExists')
    answers.set('/r/d', [500])
    expect(await codeOf(store.getRange('d', { offset: 0, length: 1 }))).toBe('Transient')
    answers.set('/r/d', [400])
    expect(await codeOf(store.get('d'))).toBe('StoreFailure')
  })

  it('refuses bad URLs, keys and ranges before any request', async () => {
    expect(() => createHttpStore({ url: 'http://user:pw@host/r' })).toThrow(/credentials/)
    expect(() => createHttpStore({ url: 'ftp://host/r' })).toThrow(VarveError)
    expect(() => createHttpStore({ url: 'http://host/r?x=1' })).toThrow(VarveError)
    const store = createHttpStore({ url: `${base}/r` })
    const before = [...hits.values()].reduce((a, b) => a + b, 0)
    expect(await codeOf(store.get('../x'))).toBe('InvalidKey')
    expect(await codeOf(store.getRange('x', { offset: -1, length: 1 }))).toBe('InvalidArgument')
    expect(await codeOf(store.put('x', new Uint8Array(0)))).toBe('PermissionDenied')
    expect([...hits.values()].reduce((a, b) => a + b, 0)).toBe(before)
  })

  it("a server's capabilities answer that is no { atomicCreate } is a StoreFailure", async () => {
    answers.set('/r/.varve/capabilities', [200])
    expect(await codeOf(openStore(`${base}/r`, { token: 'a-token-of-sufficient-length' }))).toBe(
      'StoreFailure',
    )
    answers.set('/r/.varve/capabilities', [500])
    expect(await codeOf(openStore(`${base}/r`, { token: 'a-token-of-sufficient-length', retries: 0 }))).toBe(
      'Transient',
    )
  })

  it('a server that never answers times out as Transient', async () => {
    answers.set('/r/slow', [0])
    const store = createHttpStore({ url: `${base}/r`, retries: 0, timeoutMs: 200 })
    const started = Date.now()
    expect(await codeOf(store.get('slow'))).toBe('Transient')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('a closed port is Transient', async () => {
    const store = createHttpStore({ url: 'http://127.0.0.1:1/r', retries: 1 })
    expect(await codeOf(store.get('x'))).toBe('Transient')
  })
})
