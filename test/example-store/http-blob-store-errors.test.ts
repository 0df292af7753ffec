import { type ErrorCode, type Store, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { startBlobServer } from './blob-server.ts'
import { createHttpBlobStore } from './http-blob-store.ts'

// The conformance kit proves the behaviour against the real service; these cases
// force the answers a healthy service never gives, to check their translation.
function answering(status: number, body: string | null = 'service says no'): Store {
  return createHttpBlobStore({
    baseUrl: 'http://blobs.invalid',
    fetch: async () => new Response(body, { status }),
  })
}

const operations: Record<string, (store: Store) => Promise<unknown>> = {
  get: (store) => store.get('a/b'),
  getRange: (store) => store.getRange('a/b', { offset: 0, length: 4 }),
  put: (store) => store.put('a/b', new Uint8Array([1])),
  create: (store) => store.create('a/b', new Uint8Array([1])),
  list: (store) => drain(store.list('a/')),
  delete: (store) => store.delete(['a/b']),
}

async function drain(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const key of keys) all.push(key)
  return all
}

async function failure(promise: Promise<unknown>): Promise<VarveError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  if (!VarveError.is(error)) throw new Error(`expected a VarveError, got ${String(error)}`)
  return error
}

describe.each<[number, ErrorCode]>([
  [401, 'PermissionDenied'],
  [403, 'PermissionDenied'],
  [429, 'Transient'],
  [500, 'Transient'],
  [503, 'Transient'],
  [400, 'StoreFailure'],
  [409, 'StoreFailure'],
])('HTTP %i', (status, code) => {
  it.each(Object.keys(operations))(`makes %s fail with ${code}, the answer as cause`, async (name) => {
    const error = await failure(operations[name]!(answering(status)))
    expect(error.code).toBe(code)
    expect(error.details).toMatchObject({
      status,
      operation: name,
      ...(name === 'list' ? { prefix: 'a/' } : { key: 'a/b' }),
    })
    expect(String((error.cause as Error).message)).toContain(`${status}`)
    expect(String((error.cause as Error).message)).toContain('service says no')
  })
})

describe('translation of the answers with a meaning', () => {
  it('412 on create is AlreadyExists, on put a StoreFailure', async () => {
    expect((await failure(answering(412).create('k', new Uint8Array()))).code).toBe('AlreadyExists')
    expect((await failure(answering(412).put('k', new Uint8Array()))).code).toBe('StoreFailure')
  })

  it('404 means absent for get and getRange, and done for delete', async () => {
    const store = answering(404)
    expect(await store.get('k')).toBeUndefined()
    expect(await store.getRange('k', { offset: 0, length: 1 })).toBeUndefined()
    await store.delete(['k', 'l'])
  })

  it('slices the whole object when the service ignores Range', async () => {
    const store = answering(200, 'abcdef')
    expect(new TextDecoder().decode(await store.getRange('k', { offset: 2, length: 3 }))).toBe('cde')
  })

  it('refuses a listing it cannot read', async () => {
    const error = await failure(drain(answering(200, '{"keys":"not an array"}').list('')))
    expect(error.code).toBe('StoreFailure')
  })

  it('makes a refused connection Transient, with the network error as cause', async () => {
    const server = await startBlobServer()
    await server.close()
    const error = await failure(createHttpBlobStore({ baseUrl: server.url }).get('k'))
    expect(error.code).toBe('Transient')
    expect(error.cause).toBeInstanceOf(TypeError)
  })
})

describe('checks before any request', () => {
  it('refuses an invalid key without calling the service', async () => {
    let calls = 0
    const store = createHttpBlobStore({
      baseUrl: 'http://blobs.invalid',
      fetch: async () => {
        calls += 1
        return new Response(null, { status: 204 })
      },
    })
    for (const key of ['', '/a', 'a//b', 'a/..', '../etc/passwd', 'a:b']) {
      expect((await failure(store.put(key, new Uint8Array()))).code).toBe('InvalidKey')
    }
    expect((await failure(store.delete(['ok', 'a/.b']))).code).toBe('InvalidKey')
    expect((await failure(drain(store.list('a//')))).code).toBe('InvalidKey')
    expect(calls).toBe(0)
  })

  it('refuses a baseUrl that is not a plain http(s) URL or that holds credentials', () => {
    for (const baseUrl of ['blobs', 'ftp://blobs', 'http://blobs/?a=1', 'https://user:secret@blobs']) {
      const error = (() => {
        try {
          createHttpBlobStore({ baseUrl })
        } catch (error) {
          return error
        }
      })()
      expect(VarveError.is(error, 'InvalidArgument'), baseUrl).toBe(true)
    }
  })
})
