import { Writable } from 'node:stream'
import { createHttpStore, Repo, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/index.ts'
import { makeRepoFolder, type RepoFolder } from './fixtures.ts'
import { partialRequest, rawRequest } from './raw-request.ts'

const TOKEN = 'auth-test-token-abcdef0123456789'
let folder: RepoFolder
let writable: RunningServer
let readOnly: RunningServer
const logLines: string[] = []

beforeAll(async () => {
  folder = await makeRepoFolder(20)
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).trim().split('\n'))
      done()
    },
  })
  writable = await startServer({
    repo: folder.repo,
    port: 0,
    token: TOKEN,
    maxBodyBytes: 1024,
    maxConcurrency: 4,
    log: { stream, level: 'info' },
  })
  readOnly = await startServer({ repo: folder.repo, port: 0, log: false })
})
afterAll(async () => {
  await writable?.close()
  await readOnly?.close()
  await folder?.cleanup()
})

const put = (base: string, key: string, headers: Record<string, string> = {}, body = Buffer.from('data')) =>
  rawRequest(base, `/repo/${key}`, { method: 'PUT', headers, body })

describe('writes need the bearer token', () => {
  it('a read-only server refuses every write with 403, even with a token', async () => {
    expect((await put(readOnly.url, 'scratch/a')).status).toBe(403)
    expect((await put(readOnly.url, 'scratch/a', { authorization: `Bearer ${TOKEN}` })).status).toBe(403)
    expect((await rawRequest(readOnly.url, '/repo/varve.json', { method: 'DELETE' })).status).toBe(403)
    expect(await folder.repo.store.get('scratch/a')).toBeUndefined()
  })

  it('a missing or wrong token is 401 with WWW-Authenticate; nothing is written', async () => {
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
      { authorization: 'Bearer ' },
    ]) {
      const answer = await put(writable.url, 'scratch/b', headers)
      expect(answer.status, JSON.stringify(headers)).toBe(401)
      expect(answer.headers['www-authenticate']).toBe('Bearer')
    }
    expect((await rawRequest(writable.url, '/repo/varve.json', { method: 'DELETE' })).status).toBe(401)
    expect(await folder.repo.store.get('scratch/b')).toBeUndefined()
    expect(await folder.repo.store.get('varve.json')).toBeDefined()
  })

  it('a write without the right token is refused from its headers, before its body is read', async () => {
    // The bodies are left unfinished: an answer can only come before the server reads them.
    const big = { method: 'PUT', declaredBytes: 32 * 1024 * 1024, sentBytes: 64 * 1024 }
    const readOnlyAnswer = await partialRequest(readOnly.url, '/repo/scratch/slow', big)
    expect(readOnlyAnswer?.status).toBe(403)
    expect(readOnlyAnswer?.headers.connection).toBe('close')
    const small = { declaredBytes: 1000, sentBytes: 10 }
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer wrong' }]) {
      for (const method of ['PUT', 'DELETE']) {
        const answer = await partialRequest(writable.url, '/repo/scratch/slow', { method, headers, ...small })
        expect(answer?.status, `${method} ${JSON.stringify(headers)}`).toBe(401)
        expect(answer?.headers['www-authenticate']).toBe('Bearer')
        expect(answer?.headers.connection).toBe('close')
      }
    }
    // With the token the server waits for the body, as it should.
    const auth = { authorization: `Bearer ${TOKEN}` }
    expect(
      await partialRequest(
        writable.url,
        '/repo/scratch/slow',
        { method: 'PUT', headers: auth, ...small },
        300,
      ),
    ).toBeUndefined()
    expect((await rawRequest(writable.url, '/repo/varve.json')).status).toBe(200)
    expect(await folder.repo.store.get('scratch/slow')).toBeUndefined()
  })

  it('the right token puts, creates only once (412 after), and deletes', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` }
    expect((await put(writable.url, 'scratch/c', auth)).status).toBe(201)
    expect((await put(writable.url, 'scratch/d', { ...auth, 'if-none-match': '*' })).status).toBe(201)
    expect((await put(writable.url, 'scratch/d', { ...auth, 'if-none-match': '*' })).status).toBe(412)
    expect(new TextDecoder().decode(await folder.repo.store.get('scratch/c'))).toBe('data')
    expect(
      (await rawRequest(writable.url, '/repo/scratch/c', { method: 'DELETE', headers: auth })).status,
    ).toBe(204)
    expect(await folder.repo.store.get('scratch/c')).toBeUndefined()
    await folder.repo.store.delete(['scratch/d'])
  })

  it('the http store is read-only without a token and writes with it', async () => {
    const reader = createHttpStore({ url: writable.repoUrl })
    const error = await reader.put('scratch/e', new Uint8Array([1])).catch((e: unknown) => e)
    expect(VarveError.is(error, 'PermissionDenied')).toBe(true)
    expect((error as Error).message).toMatch(/read-only.*token/)
    const wrong = createHttpStore({ url: writable.repoUrl, token: 'not-the-token-at-all' })
    expect(
      VarveError.is(await wrong.put('scratch/e', new Uint8Array([1])).catch((e) => e), 'PermissionDenied'),
    ).toBe(true)
    const writer = createHttpStore({ url: writable.repoUrl, token: TOKEN })
    await writer.put('scratch/e', new Uint8Array([1, 2]))
    expect(await reader.get('scratch/e')).toEqual(new Uint8Array([1, 2]))
    await writer.delete(['scratch/e'])
    expect(await reader.get('scratch/e')).toBeUndefined()
    const toReadOnly = createHttpStore({ url: readOnly.repoUrl, token: TOKEN })
    expect(
      VarveError.is(
        await toReadOnly.put('scratch/e', new Uint8Array([1])).catch((e) => e),
        'PermissionDenied',
      ),
    ).toBe(true)
  })

  it('Repo.open over http reads, and refuses to write without a token', async () => {
    const remote = await Repo.open(readOnly.repoUrl)
    expect(await remote.collections()).toEqual(['prices', 'temperature'])
    const temps = await remote.collection('temperature')
    expect((await temps!.series('Paris').read()).length).toBe(10)
    const error = await temps!
      .series('Paris')
      .write({ timestamp: [new Date()], value: [1] })
      .catch((e) => e)
    expect(VarveError.is(error, 'PermissionDenied')).toBe(true)
  })
})

describe('limits and logs', () => {
  it('a body over maxBodyBytes is 413 and not written', async () => {
    const answer = await put(
      writable.url,
      'scratch/big',
      { authorization: `Bearer ${TOKEN}` },
      Buffer.alloc(4096),
    )
    expect(answer.status).toBe(413)
    expect(await folder.repo.store.get('scratch/big')).toBeUndefined()
  })

  it('past maxConcurrency requests in flight, the server answers 503 with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        rawRequest(writable.url, '/api/collections/temperature/series/Brussels'),
      ),
    )
    const statuses = answers.map((a) => a.status)
    expect(statuses).toContain(200)
    expect(statuses).toContain(503)
    expect(answers.find((a) => a.status === 503)?.headers['retry-after']).toBe('1')
  })

  it('logs JSON lines and never the token or the Authorization header', async () => {
    await put(writable.url, 'scratch/f', { authorization: `Bearer ${TOKEN}` })
    await folder.repo.store.delete(['scratch/f'])
    expect(logLines.length).toBeGreaterThan(5)
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow()
    const all = logLines.join('\n')
    expect(all).not.toContain(TOKEN)
    expect(all.toLowerCase()).not.toContain('bearer')
    expect(all).toContain('"url":"/repo/scratch/f"')
  })
})
