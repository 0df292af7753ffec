import { randomBytes } from 'node:crypto'
import { ApiError, Storage } from '@google-cloud/storage'
import { type ErrorCode, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alreadyExists, httpStatus, isNotFound, translateGcsError } from '../src/errors.ts'
import { createGcsStore } from '../src/gcs-store.ts'
import { type FailingServer, startFailingServer } from './failing-server.ts'
import { type GcsEmulator, startGcsEmulator } from './gcs-emulator.ts'
import { type LossyProxy, startLossyProxy } from './lossy-proxy.ts'

const context = { operation: 'put', key: 'series/brussels', description: 'gs://bucket/repo' } as const
const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }

function apiError(code: number, reason: string): ApiError {
  const message = `Injected ${code} (${reason})`
  return new ApiError({ code, message, errors: [{ reason, message }] } as ConstructorParameters<
    typeof ApiError
  >[0])
}

/** What node-fetch and gaxios throw when the connection fails. */
function connectionError(code: string): Error {
  return Object.assign(
    new Error(
      `request to http://127.0.0.1:9/upload/storage/v1/b/bucket/o?uploadType=multipart&name=repo%2Fk failed, reason: ${code}`,
    ),
    { name: 'FetchError', type: 'system', code, errno: code },
  )
}

function sdkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code })
}

describe('translateGcsError', () => {
  it.each<[string, unknown, ErrorCode]>([
    ['404', apiError(404, 'notFound'), 'NotFound'],
    ['412', apiError(412, 'conditionNotMet'), 'PreconditionFailed'],
    ['401', apiError(401, 'required'), 'PermissionDenied'],
    ['403', apiError(403, 'forbidden'), 'PermissionDenied'],
    ['403 rateLimitExceeded', apiError(403, 'rateLimitExceeded'), 'Transient'],
    ['408', apiError(408, 'requestTimeout'), 'Transient'],
    ['429', apiError(429, 'rateLimitExceeded'), 'Transient'],
    ['500', apiError(500, 'backendError'), 'Transient'],
    ['502', apiError(502, 'badGateway'), 'Transient'],
    ['503', apiError(503, 'backendError'), 'Transient'],
    ['504', apiError(504, 'gatewayTimeout'), 'Transient'],
    ['400', apiError(400, 'invalid'), 'StoreFailure'],
    ['409', apiError(409, 'conflict'), 'StoreFailure'],
    ['a gaxios status', Object.assign(new Error('Service Unavailable'), { status: 503 }), 'Transient'],
    ['a status as a string code', sdkError('429', 'Too Many Requests'), 'Transient'],
    ['ECONNRESET', connectionError('ECONNRESET'), 'Transient'],
    ['ECONNREFUSED', connectionError('ECONNREFUSED'), 'Transient'],
    ['ETIMEDOUT', connectionError('ETIMEDOUT'), 'Transient'],
    ['EPIPE', connectionError('EPIPE'), 'Transient'],
    ['EAI_AGAIN', connectionError('EAI_AGAIN'), 'Transient'],
    ['ENOTFOUND', connectionError('ENOTFOUND'), 'StoreFailure'],
    [
      'a reset in the cause',
      new Error('fetch failed', { cause: connectionError('ECONNRESET') }),
      'Transient',
    ],
    ['socket hang up', new Error('socket hang up'), 'Transient'],
    ['a timeout', Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), 'Transient'],
    ['a download checksum mismatch', sdkError('CONTENT_DOWNLOAD_MISMATCH', 'checksum mismatch'), 'Transient'],
    ['an upload checksum mismatch', sdkError('FILE_NO_UPLOAD', 'did not match'), 'Transient'],
    ['a damaged upload left behind', sdkError('FILE_NO_UPLOAD_DELETE', 'could not delete'), 'StoreFailure'],
    [
      'no credentials',
      new Error(
        'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication',
      ),
      'PermissionDenied',
    ],
    ['refused credentials', Object.assign(new Error('invalid_grant'), { code: '400' }), 'PermissionDenied'],
    ['anything else', new TypeError('odd'), 'StoreFailure'],
  ])('translates %s, naming the key and the store, cause attached', (_, cause, expected) => {
    const error = translateGcsError(cause, context)
    expect(error.code).toBe(expected)
    expect(error.cause).toBe(cause)
    expect(error.message).toMatch(/^Could not write "series\/brussels" in gs:\/\/bucket\/repo: /)
    expect(error.details).toMatchObject({ key: 'series/brussels', store: 'gs://bucket/repo' })
  })

  it('gives advice that fits the code', () => {
    expect(translateGcsError(apiError(404, 'notFound'), context).message).toMatch(
      /bucket gs:\/\/bucket does not exist .* create it first; the store never creates buckets/,
    )
    expect(translateGcsError(apiError(403, 'forbidden'), context).message).toMatch(
      /GOOGLE_APPLICATION_CREDENTIALS.*roles\/storage\.objectAdmin/,
    )
    expect(translateGcsError(apiError(503, 'backendError'), context).message).toMatch(/retry the call later/)
    expect(translateGcsError(connectionError('ENOTFOUND'), context).message).toMatch(/check apiEndpoint/)
  })

  it('never repeats query strings (upload sessions, signatures) from the SDK’s message', () => {
    const leaky = connectionError('ECONNRESET')
    leaky.message =
      'request to https://storage.googleapis.com/upload?upload_id=SESSION&X-Goog-Signature=SIG failed'
    const error = translateGcsError(leaky, context)
    expect(error.message).not.toMatch(/SESSION|SIG|upload_id/)
    expect(error.message).toContain('https://storage.googleapis.com/upload failed')
  })

  it('says what each operation was doing', () => {
    const cause = apiError(500, 'backendError')
    const as = (operation: 'get' | 'getRange' | 'create' | 'list' | 'delete', key = 'k') =>
      translateGcsError(cause, { ...context, operation, key }).message
    expect(as('get')).toMatch(/^Could not read "k" in/)
    expect(as('getRange')).toMatch(/^Could not read a range of "k" in/)
    expect(as('create')).toMatch(/^Could not create "k" in/)
    expect(as('list', 'ser')).toMatch(/^Could not list the keys starting with "ser" in gs:\/\/bucket\/repo/)
    expect(as('delete')).toMatch(/^Could not delete "k" in/)
  })

  it('passes Varve errors through and wraps a thrown non-error as StoreFailure', () => {
    const varve = new VarveError('Integrity', 'bad')
    expect(translateGcsError(varve, context)).toBe(varve)
    const odd = translateGcsError('a string thrown', context)
    expect(odd.code).toBe('StoreFailure')
    expect(odd.cause).toBe('a string thrown')
  })

  it('reads the HTTP status from each shape the SDK throws, and tells absence apart', () => {
    expect(httpStatus(apiError(404, 'notFound'))).toBe(404)
    expect(httpStatus({ response: { status: 416 } })).toBe(416)
    expect(httpStatus(connectionError('ECONNRESET'))).toBeUndefined()
    expect(httpStatus('404')).toBeUndefined()
    expect(isNotFound(apiError(404, 'notFound'))).toBe(true)
    expect(isNotFound(apiError(403, 'forbidden'))).toBe(false)
  })

  it('makes the AlreadyExists of create', () => {
    const error = alreadyExists({ ...context, operation: 'create' })
    expect(error.code).toBe('AlreadyExists')
    expect(error.message).toMatch(
      /"series\/brussels" already exists in gs:\/\/bucket\/repo; create-only writes/,
    )
  })
})

describe('failures provoked on the Firebase Storage emulator', () => {
  let emulator: GcsEmulator
  let proxy: LossyProxy
  const bucket = 'varve-errors'
  let prefix: string
  const viaProxy = () =>
    createGcsStore({
      bucket,
      prefix,
      apiEndpoint: proxy.endpoint,
      projectId: emulator.projectId,
      retry: fast,
    })
  const uploads = (request: { method: string; url: string }) =>
    request.method === 'POST' && request.url.startsWith('/upload/')

  beforeAll(async () => {
    emulator = await startGcsEmulator()
    proxy = await startLossyProxy(emulator.endpoint)
  })
  afterAll(async () => {
    await proxy?.close()
    await emulator?.stop()
  })
  beforeAll(() => {
    prefix = `errors-${randomBytes(6).toString('hex')}`
  })

  it('reads absence as undefined, not as an error', async () => {
    const store = viaProxy()
    expect(await store.get('absent')).toBeUndefined()
    expect(await store.getRange('absent', { offset: 0, length: 10 })).toBeUndefined()
    expect(await store.getRange('absent', { offset: 0, length: 0 })).toBeUndefined()
    await store.delete(['absent'])
    const listed: string[] = []
    for await (const key of store.list('absent')) listed.push(key)
    expect(listed).toEqual([])
  })

  it('refuses a create over an existing object with AlreadyExists, before uploading anything', async () => {
    const store = viaProxy()
    await store.put('taken', new Uint8Array([1]))
    const before = proxy.requests.length
    const error = await store.create('taken', new Uint8Array([2])).catch((e: unknown) => e)
    expect(VarveError.is(error, 'AlreadyExists')).toBe(true)
    expect((error as Error).message).toMatch(/"taken" already exists in gs:\/\/varve-errors\/errors-/)
    expect(proxy.requests.slice(before).filter((r) => r.startsWith('POST /upload/'))).toEqual([])
    expect(await store.get('taken')).toEqual(new Uint8Array([1]))
  })

  it('sends create with ifGenerationMatch=0 and put without a precondition', async () => {
    const store = viaProxy()
    const before = proxy.requests.length
    await store.create('conditional', new Uint8Array([1]))
    await store.put('unconditional', new Uint8Array([1]))
    const sent = proxy.requests.slice(before).filter((r) => r.startsWith('POST /upload/'))
    expect(sent).toHaveLength(2)
    expect(sent[0]).toMatch(/[?&]ifGenerationMatch=0(&|$)/)
    expect(sent[1]).not.toMatch(/ifGenerationMatch/)
  })

  it('retries a create whose response was lost, finds its own bytes and succeeds', async () => {
    const store = viaProxy()
    const bytes = randomBytes(5000)
    proxy.lose({ matches: uploads, drop: 'response' })
    const before = proxy.requests.length
    await store.create('lost-ack', bytes)
    // One upload (lost), then the retry's check finds the object and reads it to compare.
    const sent = proxy.requests.slice(before).map((r) => r.replace(/\?.*/, ''))
    expect(sent.filter((r) => r.startsWith('POST /upload/'))).toHaveLength(1)
    expect(sent.at(-1)).toMatch(/^GET .*lost-ack$/)
    expect(Buffer.from((await store.get('lost-ack'))!)).toEqual(bytes)
  })

  it('reports AlreadyExists when, after a lost request, another writer created the key with other bytes', async () => {
    const store = viaProxy()
    const theirs = new Uint8Array([9, 9, 9])
    const other = createGcsStore({
      bucket,
      prefix,
      apiEndpoint: emulator.endpoint,
      projectId: emulator.projectId,
    })
    proxy.lose({ matches: uploads, drop: 'request', meanwhile: () => other.put('contested', theirs) })
    const error = await store.create('contested', new Uint8Array([1, 2, 3])).catch((e: unknown) => e)
    expect(VarveError.is(error, 'AlreadyExists')).toBe(true)
    expect(await store.get('contested')).toEqual(theirs)
  })

  it('retries a put whose response was lost', async () => {
    const store = viaProxy()
    proxy.lose({ matches: uploads, drop: 'response' })
    await store.put('lost-put', new Uint8Array([4, 5]))
    expect(await store.get('lost-put')).toEqual(new Uint8Array([4, 5]))
  })

  it('gives up on a refused connection with Transient after the configured attempts', async () => {
    const closed = await startFailingServer()
    const endpoint = closed.endpoint
    await closed.close()
    const store = createGcsStore({ bucket, apiEndpoint: endpoint, retry: { attempts: 2, baseDelayMs: 1 } })
    const error = await store.get('k').catch((e: unknown) => e)
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as VarveError).details).toMatchObject({ key: 'k', attempts: 2 })
    expect((error as Error).message).toMatch(
      /^Could not read "k" in gs:\/\/varve-errors: .*ECONNREFUSED.*2 attempts/,
    )
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNREFUSED')
  })
})

describe('failures answered by a server speaking Cloud Storage’s error format, through the real SDK', () => {
  let server: FailingServer
  let store: ReturnType<typeof createGcsStore>
  beforeAll(async () => {
    server = await startFailingServer()
    store = createGcsStore({ bucket: 'varve-errors', prefix: 'p', apiEndpoint: server.endpoint, retry: fast })
  })
  afterAll(() => server?.close())

  async function failure(call: () => Promise<unknown>): Promise<{ error: VarveError; hits: number }> {
    const before = server.hits()
    const error = await call().then(
      () => expect.unreachable('the call succeeded'),
      (e: unknown) => e,
    )
    expect(VarveError.is(error)).toBe(true)
    return { error: error as VarveError, hits: server.hits() - before }
  }

  it('403 is PermissionDenied at once, for reads, writes, listings and deletes', async () => {
    server.answer(403, 'forbidden')
    for (const call of [
      () => store.get('k'),
      () => store.put('k', new Uint8Array([1])),
      async () => {
        for await (const _ of store.list('')) expect.unreachable()
      },
      () => store.delete(['k']),
    ]) {
      const { error, hits } = await failure(call)
      expect(error.code).toBe('PermissionDenied')
      expect(hits).toBe(1)
    }
  })

  it('401 is PermissionDenied', async () => {
    server.answer(401, 'required')
    expect((await failure(() => store.getRange('k', { offset: 0, length: 4 }))).error.code).toBe(
      'PermissionDenied',
    )
  })

  it.each([
    [503, 'backendError'],
    [429, 'rateLimitExceeded'],
    [500, 'internalError'],
  ])('%i is Transient after every attempt was used', async (status, reason) => {
    server.answer(status, reason)
    const { error, hits } = await failure(() => store.put('k', new Uint8Array([1])))
    expect(error.code).toBe('Transient')
    expect(error.details).toMatchObject({ status, attempts: fast.attempts })
    expect(hits).toBe(fast.attempts)
  })

  it('404 on a write is NotFound: the bucket is missing', async () => {
    server.answer(404, 'notFound')
    const { error } = await failure(() => store.put('k', new Uint8Array([1])))
    expect(error.code).toBe('NotFound')
    expect(error.message).toMatch(/^Could not write "k" in gs:\/\/varve-errors\/p: .*does not exist/)
  })

  it('412 on the conditional upload of create is AlreadyExists', async () => {
    server.answer(412, 'conditionNotMet', 'POST')
    const { error } = await failure(() => store.create('k', new Uint8Array([1])))
    expect(error.code).toBe('AlreadyExists')
    expect(httpStatus(error.cause)).toBe(412)
  })

  it('400 is StoreFailure, not retried', async () => {
    server.answer(400, 'invalid')
    const { error, hits } = await failure(() => store.get('k'))
    expect(error.code).toBe('StoreFailure')
    expect(hits).toBe(1)
  })

  it('a ready Storage from the caller is used as it is', async () => {
    server.answer(403, 'forbidden')
    const own = createGcsStore({
      bucket: 'varve-errors',
      storage: new Storage({ apiEndpoint: server.endpoint, retryOptions: { autoRetry: false } }),
    })
    const before = server.hits()
    expect(VarveError.is(await own.get('k').catch((e: unknown) => e), 'PermissionDenied')).toBe(true)
    expect(server.hits() - before).toBe(1)
  })
})
