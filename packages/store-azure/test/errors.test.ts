import { createServer } from 'node:net'
import { ContainerSASPermissions, RestError } from '@azure/storage-blob'
import { type ErrorCode, type StoreOperation, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAzureStore } from '../src/azure-store.ts'
import { isBlobNotFound, isRangeNotSatisfiable, translateAzureError } from '../src/errors.ts'
import { ACCOUNT, type Azurite, startAzurite } from './azurite.ts'

const store = `az://${ACCOUNT}/data/team`
const context = { operation: 'put', key: 'series/brussels', description: store } as const

/** An error as the SDK throws it for a service answer: status, Azure error code, multi-line message. */
function serviceError(status: number, errorCode: string, message = 'The service said no.'): RestError {
  const error = new RestError(`${message}\nRequestId:1f2e\nTime:2026-01-01T00:00:00.000Z`, {
    statusCode: status,
    code: errorCode,
  })
  return Object.assign(error, { details: { errorCode } })
}

/** An error as the SDK throws it when the request got no answer. */
function networkError(code: string): RestError {
  return new RestError(`connect ${code} 127.0.0.1:10000`, { code })
}

describe('translateAzureError', () => {
  it.each<[string, () => unknown, StoreOperation, ErrorCode]>([
    ['409 BlobAlreadyExists', () => serviceError(409, 'BlobAlreadyExists'), 'create', 'AlreadyExists'],
    [
      '412 ConditionNotMet on a write',
      () => serviceError(412, 'ConditionNotMet'),
      'create',
      'PreconditionFailed',
    ],
    ['412 ConditionNotMet on a read', () => serviceError(412, 'ConditionNotMet'), 'get', 'Transient'],
    ['404 ContainerNotFound', () => serviceError(404, 'ContainerNotFound'), 'get', 'NotFound'],
    [
      '404 BlobNotFound where absence is no answer',
      () => serviceError(404, 'BlobNotFound'),
      'put',
      'StoreFailure',
    ],
    [
      '401 NoAuthenticationInformation',
      () => serviceError(401, 'NoAuthenticationInformation'),
      'get',
      'PermissionDenied',
    ],
    ['403 AuthenticationFailed', () => serviceError(403, 'AuthenticationFailed'), 'put', 'PermissionDenied'],
    [
      '403 AuthorizationPermissionMismatch',
      () => serviceError(403, 'AuthorizationPermissionMismatch'),
      'list',
      'PermissionDenied',
    ],
    ['408 RequestTimeout', () => serviceError(408, 'RequestTimeout'), 'get', 'Transient'],
    ['429 TooManyRequests', () => serviceError(429, 'TooManyRequests'), 'put', 'Transient'],
    ['503 ServerBusy', () => serviceError(503, 'ServerBusy'), 'put', 'Transient'],
    ['500 InternalError', () => serviceError(500, 'InternalError'), 'delete', 'Transient'],
    ['500 OperationTimedOut', () => serviceError(500, 'OperationTimedOut'), 'list', 'Transient'],
    ['502 with no Azure code', () => new RestError('Bad Gateway', { statusCode: 502 }), 'get', 'Transient'],
    [
      '504 with no Azure code',
      () => new RestError('Gateway Timeout', { statusCode: 504 }),
      'get',
      'Transient',
    ],
    ['400 InvalidBlockList', () => serviceError(400, 'InvalidBlockList'), 'put', 'Transient'],
    ['ECONNRESET', () => networkError('ECONNRESET'), 'put', 'Transient'],
    ['ECONNREFUSED', () => networkError('ECONNREFUSED'), 'get', 'Transient'],
    ['ETIMEDOUT', () => networkError('ETIMEDOUT'), 'get', 'Transient'],
    ['EPIPE', () => networkError('EPIPE'), 'put', 'Transient'],
    ['REQUEST_SEND_ERROR', () => networkError('REQUEST_SEND_ERROR'), 'list', 'Transient'],
    [
      'an aborted (timed out) request',
      () => Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }),
      'get',
      'Transient',
    ],
    ['ENOTFOUND (a wrong account name)', () => networkError('ENOTFOUND'), 'get', 'StoreFailure'],
    ['400 InvalidHeaderValue', () => serviceError(400, 'InvalidHeaderValue'), 'put', 'StoreFailure'],
    ['409 LeaseIdMissing', () => serviceError(409, 'LeaseIdMissing'), 'put', 'StoreFailure'],
    ['416 outside a ranged read', () => serviceError(416, 'InvalidRange'), 'get', 'StoreFailure'],
    ['a plain Error', () => new Error('boom'), 'get', 'StoreFailure'],
    ['a thrown string', () => 'a string thrown', 'get', 'StoreFailure'],
  ])(
    'translates %s into the right code, naming the key and the store, cause attached',
    (_, make, operation, code) => {
      const cause = make()
      const error = translateAzureError(cause, { ...context, operation })
      expect(VarveError.is(error, code)).toBe(true)
      expect(error.cause).toBe(cause)
      expect(error.message).toContain('"series/brussels"')
      expect(error.message).toContain(store)
      expect(error.message).not.toMatch(/RequestId|Time:/)
      expect(error.details).toMatchObject({ key: 'series/brussels', store })
    },
  )

  it('says what failed, with the status and Azure code, and what to do', () => {
    const denied = translateAzureError(
      serviceError(403, 'AuthorizationFailure', 'This request is not authorized.'),
      context,
    )
    expect(denied.message).toBe(
      `Could not write "series/brussels" in ${store}: This request is not authorized (403 AuthorizationFailure). ` +
        'Check the account key, SAS token (its permissions and expiry) or role assignment (e.g. Storage Blob Data Contributor) for this container.',
    )
    expect(denied.details).toEqual({
      key: 'series/brussels',
      store,
      status: 403,
      errorCode: 'AuthorizationFailure',
    })
    const container = translateAzureError(serviceError(404, 'ContainerNotFound'), {
      ...context,
      operation: 'list',
      key: 'ser',
    })
    expect(container.message).toMatch(/^Could not list the keys starting with "ser" in .*create it first/)
    const reset = translateAzureError(networkError('ECONNRESET'), { ...context, operation: 'delete' })
    expect(reset.message).toMatch(
      /^Could not delete "series\/brussels" in .*: connect ECONNRESET .* retry the call/,
    )
    const timeout = translateAzureError(Object.assign(new Error('aborted'), { name: 'AbortError' }), context)
    expect(timeout.message).toMatch(/the request timed out \(requestTimeoutMs\)/)
  })

  it('passes Varve errors through', () => {
    const varve = new VarveError('Integrity', 'bad')
    expect(translateAzureError(varve, context)).toBe(varve)
  })

  it('tells absence of the blob from absence of the container, and a range past the end', () => {
    expect(isBlobNotFound(serviceError(404, 'BlobNotFound'))).toBe(true)
    expect(isBlobNotFound(serviceError(404, 'ContainerNotFound'))).toBe(false)
    expect(isBlobNotFound(serviceError(403, 'AuthorizationFailure'))).toBe(false)
    expect(isRangeNotSatisfiable(serviceError(416, 'InvalidRange'))).toBe(true)
    expect(isRangeNotSatisfiable(new Error('x'))).toBe(false)
  })
})

describe('errors provoked on Azurite', () => {
  let server: Azurite
  let container: string
  beforeAll(async () => {
    server = await startAzurite()
    container = await server.createContainer()
  })
  afterAll(async () => {
    await server?.stop()
  })
  const bytes = new TextEncoder().encode('payload')
  const fast = { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }

  it('a wrong account key is PermissionDenied, for every operation, and the message holds no key', async () => {
    const wrongKey = Buffer.from('not the key of this account, at all').toString('base64')
    const store = createAzureStore({
      account: ACCOUNT,
      accountKey: wrongKey,
      endpoint: server.endpoint,
      container,
      ...fast,
    })
    const attempts: [string, () => Promise<unknown>][] = [
      ['get', () => store.get('k')],
      ['getRange', () => store.getRange('k', { offset: 0, length: 2 })],
      ['put', () => store.put('k', bytes)],
      ['create', () => store.create('k', bytes)],
      [
        'list',
        async () => {
          for await (const key of store.list('')) void key
        },
      ],
      ['delete', () => store.delete(['k'])],
    ]
    for (const [operation, attempt] of attempts) {
      const error = await attempt().catch((e: unknown) => e)
      expect(VarveError.is(error, 'PermissionDenied'), `${operation}: ${String(error)}`).toBe(true)
      expect((error as Error).message).not.toContain(wrongKey)
      expect((error as VarveError).details).toMatchObject({ status: 403 })
    }
  })

  it('a SAS that may only read refuses writes with PermissionDenied and still reads', async () => {
    const writer = createAzureStore({ connectionString: server.connectionString, container })
    await writer.put('readable', bytes)
    const sasUrl = await server.service.getContainerClient(container).generateSasUrl({
      permissions: ContainerSASPermissions.parse('rl'),
      expiresOn: new Date(Date.now() + 3600_000),
    })
    const reader = createAzureStore({ sasUrl, ...fast })
    expect(await reader.get('readable')).toEqual(bytes)
    const error = await reader.put('other', bytes).catch((e: unknown) => e)
    expect(VarveError.is(error, 'PermissionDenied')).toBe(true)
    expect((error as Error).message).not.toContain('sig=')
  })

  it('a missing container is NotFound, saying to create it, for reads, writes, listings and deletes', async () => {
    const store = createAzureStore({
      connectionString: server.connectionString,
      container: 'never-created',
      ...fast,
    })
    const attempts = [
      () => store.get('k'),
      () => store.put('k', bytes),
      () => store.create('k', bytes),
      () => store.delete(['k']),
      async () => {
        for await (const key of store.list('x/')) void key
      },
    ]
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e)
      expect(VarveError.is(error, 'NotFound'), String(error)).toBe(true)
      expect((error as Error).message).toMatch(/never-created.*create it first/)
    }
  })

  it('a lost create race is AlreadyExists (409), a stale If-Match is PreconditionFailed (412)', async () => {
    const store = createAzureStore({ connectionString: server.connectionString, container, ...fast })
    await store.create('taken', bytes)
    const lost = await store.create('taken', new Uint8Array([1])).catch((e: unknown) => e)
    expect(VarveError.is(lost, 'AlreadyExists')).toBe(true)
    expect((lost as VarveError).details).toMatchObject({ status: 409, errorCode: 'BlobAlreadyExists' })

    const blob = server.service.getContainerClient(container).getBlockBlobClient('taken')
    const stale = await blob
      .upload('x', 1, { conditions: { ifMatch: '"0x8DCAFEBABE00000"' } })
      .catch((e: unknown) => e)
    const translated = translateAzureError(stale, {
      operation: 'create',
      key: 'taken',
      description: store.description,
    })
    expect(translated.code).toBe('PreconditionFailed')
    expect(translated.details).toMatchObject({ status: 412 })
    expect(await store.get('taken')).toEqual(bytes)
  })

  it('a server that is gone is Transient, after the configured tries', async () => {
    const store = createAzureStore({
      account: ACCOUNT,
      accountKey: 'a2V5',
      endpoint: `http://127.0.0.1:${await closedPort()}/${ACCOUNT}`,
      container,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    })
    const error = await store.get('k').catch((e: unknown) => e)
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as Error).message).toMatch(/ECONNREFUSED.*\(gave up after 3 tries\)/)
    expect((error as VarveError).details).toMatchObject({ attempts: 3, errorCode: 'ECONNREFUSED' })
  })
})

/** A port nothing listens on: one the OS just gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}
