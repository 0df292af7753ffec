import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHttpStore, openStore, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const TOKEN = 'token-transport-0123456789abcdef'

// `redirector` sends every request to `elsewhere`, another origin, which records what reaches it.
let redirector: Server
let elsewhere: Server
let redirectorUrl: string
const seenElsewhere: { method: string; headers: IncomingHttpHeaders }[] = []

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}
function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (server === undefined) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

beforeAll(async () => {
  elsewhere = createServer((req, res) => {
    seenElsewhere.push({ method: req.method ?? '', headers: req.headers })
    req.resume()
    res.writeHead(req.method === 'GET' ? 200 : 201).end(req.method === 'GET' ? 'moved bytes' : '')
  })
  // localhost and 127.0.0.1 are two origins.
  const target = `http://localhost:${await listen(elsewhere)}`
  redirector = createServer((req, res) => {
    req.resume()
    res.writeHead(307, { location: `${target}${req.url}` }).end()
  })
  redirectorUrl = `http://127.0.0.1:${await listen(redirector)}`
})
afterAll(async () => {
  await close(redirector)
  await close(elsewhere)
})

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'no error',
    (e: unknown) => e,
  )
}

describe('the bearer token travels to the store URL only', () => {
  it('a token with plain http to another machine is refused: use https', async () => {
    for (const url of [
      'http://varve.example.com/repo',
      'http://10.0.0.7:8080/repo',
      'http://[2001:db8::1]/repo',
    ]) {
      expect(() => createHttpStore({ url, token: TOKEN }), url).toThrow(/use https/)
      const error = await errorOf(openStore(url, { token: TOKEN }))
      expect(VarveError.is(error, 'InvalidArgument'), url).toBe(true)
    }
    for (const url of [
      'https://varve.example.com/repo',
      'http://localhost:8080/repo',
      'http://127.0.0.1:8080/repo',
      'http://127.1.2.3/repo',
      'http://[::1]:8080/repo',
    ]) {
      expect(() => createHttpStore({ url, token: TOKEN }), url).not.toThrow()
    }
    expect(() => createHttpStore({ url: 'http://varve.example.com/repo' })).not.toThrow()
  })

  it('a write redirected to another origin is not followed: StoreFailure, nothing reaches the other origin', async () => {
    const store = createHttpStore({ url: `${redirectorUrl}/repo`, token: TOKEN, retries: 0 })
    for (const write of [
      () => store.put('a/b', new Uint8Array([1, 2])),
      () => store.create('a/c', new Uint8Array([3])),
      () => store.delete(['a/b']),
    ]) {
      const error = await errorOf(write())
      expect(VarveError.is(error, 'StoreFailure'), String(error)).toBe(true)
      expect((error as Error).message).toMatch(/redirect/)
    }
    expect(seenElsewhere.filter((r) => r.method !== 'GET')).toEqual([])
    expect(seenElsewhere.some((r) => r.headers.authorization !== undefined)).toBe(false)
  })

  it('reads, which carry no token, still follow redirects', async () => {
    const store = createHttpStore({ url: `${redirectorUrl}/repo`, token: TOKEN, retries: 0 })
    expect(new TextDecoder().decode(await store.get('a/b'))).toBe('moved bytes')
    expect(seenElsewhere.at(-1)?.headers.authorization).toBeUndefined()
  })
})
