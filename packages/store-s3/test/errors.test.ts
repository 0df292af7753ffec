import { createServer } from 'node:net'
import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3'
import { type ErrorCode, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  alreadyExists,
  isMissing,
  isPastEnd,
  isTaken,
  mayHaveLanded,
  S3KeyError,
  translateS3Error,
} from '../src/errors.ts'
import { createS3Store } from '../src/s3-store.ts'
import { createTestBucket, localClient, localOptions } from './local-s3.ts'
import { startMoto } from './moto-server.ts'
import { ignoresConditionalWrites, serverKind, serverOptions, startS3Server } from './s3-server.ts'
import type { ServerProcess } from './server-process.ts'

const context = { operation: 'put', key: 'series/brussels', description: 's3://data/varve' } as const

/** An error as the SDK builds it from an S3 error response. */
function serviceError(name: string, status: number, attempts = 1): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'REQ123', attempts },
    message: `${name} said no.`,
  })
}

/** An error as Node's HTTP stack raises it (no response). */
function networkError(code: string): Error {
  return Object.assign(new Error(`${code} on 127.0.0.1:9000`), { code, $metadata: { attempts: 1 } })
}

describe('translateS3Error', () => {
  it.each<[string, unknown, ErrorCode]>([
    ['403 AccessDenied', serviceError('AccessDenied', 403), 'PermissionDenied'],
    ['403 InvalidAccessKeyId', serviceError('InvalidAccessKeyId', 403), 'PermissionDenied'],
    ['403 SignatureDoesNotMatch', serviceError('SignatureDoesNotMatch', 403), 'PermissionDenied'],
    ['400 ExpiredToken', serviceError('ExpiredToken', 400), 'PermissionDenied'],
    ['a bare 401', serviceError('Unauthorized', 401), 'PermissionDenied'],
    [
      'no credentials found',
      Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
      'PermissionDenied',
    ],
    [
      '404 NoSuchBucket',
      new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'no bucket' }),
      'NotFound',
    ],
    ['404 NoSuchKey', new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'no key' }), 'NotFound'],
    ['412 PreconditionFailed', serviceError('PreconditionFailed', 412), 'PreconditionFailed'],
    ['503 SlowDown', serviceError('SlowDown', 503), 'Transient'],
    ['503 ServiceUnavailable', serviceError('ServiceUnavailable', 503), 'Transient'],
    ['500 InternalError', serviceError('InternalError', 500), 'Transient'],
    ['502 from a proxy', serviceError('BadGateway', 502), 'Transient'],
    ['429 TooManyRequests', serviceError('TooManyRequests', 429), 'Transient'],
    ['400 RequestTimeout', serviceError('RequestTimeout', 400), 'Transient'],
    ['409 ConditionalRequestConflict', serviceError('ConditionalRequestConflict', 409), 'Transient'],
    ['409 OperationAborted', serviceError('OperationAborted', 409), 'Transient'],
    ['ECONNRESET', networkError('ECONNRESET'), 'Transient'],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'Transient'],
    ['ETIMEDOUT', networkError('ETIMEDOUT'), 'Transient'],
    ['EPIPE', networkError('EPIPE'), 'Transient'],
    ['a socket timeout', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), 'Transient'],
    ['400 InvalidArgument', serviceError('InvalidArgument', 400), 'StoreFailure'],
    ['400 EntityTooLarge', serviceError('EntityTooLarge', 400), 'StoreFailure'],
    ['a missing region', new Error('Region is missing'), 'StoreFailure'],
    ['a thrown string', 'something odd', 'StoreFailure'],
  ])('translates %s into %s, naming the key and the store, cause attached', (_, cause, expected) => {
    const error = translateS3Error(cause, context)
    expect(error.code).toBe(expected)
    expect(error.cause).toBe(cause)
    expect(error.message).toMatch(/^Could not write "series\/brussels" in s3:\/\/data\/varve: /)
    expect(error.details).toMatchObject({ key: 'series/brussels', store: 's3://data/varve' })
  })

  it('keeps what S3 said, the status and the request id', () => {
    const error = translateS3Error(serviceError('SlowDown', 503), context)
    expect(error.message).toMatch(/SlowDown, HTTP 503: SlowDown said no\. This usually passes/)
    expect(error.details).toMatchObject({ s3Code: 'SlowDown', httpStatus: 503, requestId: 'REQ123' })
  })

  it('says what the operation was doing', () => {
    const cause = serviceError('AccessDenied', 403)
    expect(translateS3Error(cause, { ...context, operation: 'get' }).message).toMatch(
      /^Could not read "series/,
    )
    expect(translateS3Error(cause, { ...context, operation: 'list', key: 'ser' }).message).toMatch(
      /^Could not list the keys starting with "ser" in s3:\/\/data\/varve: AccessDenied, HTTP 403/,
    )
    expect(translateS3Error(cause, { ...context, operation: 'create' }).message).toMatch(/^Could not create/)
  })

  it('names the key a DeleteObjects response failed for', () => {
    const error = translateS3Error(new S3KeyError('AccessDenied', 'Access Denied', 'b/2'), {
      ...context,
      operation: 'delete',
      key: 'b/1',
    })
    expect(error.code).toBe('PermissionDenied')
    expect(error.message).toMatch(/^Could not delete "b\/2"/)
  })

  it('never repeats an access key id a message quotes', () => {
    const cause = Object.assign(serviceError('InvalidAccessKeyId', 403), {
      message: 'The key AKIAIOSFODNN7EXAMPLE does not exist.',
    })
    const error = translateS3Error(cause, context)
    expect(error.message).not.toContain('AKIAIOSFODNN7EXAMPLE')
    expect(error.message).toContain('<access key id>')
  })

  it('passes Varve errors through', () => {
    const varve = new VarveError('Integrity', 'bad')
    expect(translateS3Error(varve, context)).toBe(varve)
  })

  it('builds AlreadyExists naming the key and the store', () => {
    const cause = serviceError('PreconditionFailed', 412)
    expect(alreadyExists(context, cause)).toMatchObject({ code: 'AlreadyExists', cause })
    expect(alreadyExists(context, cause).message).toMatch(
      /"series\/brussels" already exists in s3:\/\/data\/varve/,
    )
  })

  it('tells absence, a lost create, a range past the end and an uncertain write apart', () => {
    expect(isMissing(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: '' }))).toBe(true)
    expect(isMissing(serviceError('NotFound', 404))).toBe(true)
    expect(isMissing(new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: '' }))).toBe(false)
    expect(isTaken(serviceError('PreconditionFailed', 412))).toBe(true)
    expect(isTaken(serviceError('ConditionalRequestConflict', 409))).toBe(false)
    expect(isPastEnd(serviceError('InvalidRange', 416))).toBe(true)
    expect(mayHaveLanded(networkError('ECONNRESET'))).toBe(true)
    expect(mayHaveLanded(serviceError('InternalError', 500))).toBe(true)
    expect(mayHaveLanded(serviceError('SlowDown', 503))).toBe(false)
    expect(mayHaveLanded(serviceError('PreconditionFailed', 412))).toBe(false)
    expect(mayHaveLanded(alreadyExists(context))).toBe(false)
    // A caller's client that retried inside the SDK may have lost an earlier response.
    expect(mayHaveLanded(serviceError('PreconditionFailed', 412, 2))).toBe(true)
  })
})

describe(`errors provoked on a real server (${serverKind})`, () => {
  let open: ServerProcess

  beforeAll(async () => {
    open = await startS3Server()
  })
  afterAll(async () => {
    await open?.stop()
  })

  it('a missing bucket is NotFound, never an absent object', async () => {
    const store = createS3Store({ ...localOptions(open.endpoint), bucket: 'varve-no-such-bucket' })
    for (const call of [
      () => store.get('k'),
      () => store.put('k', new Uint8Array(1)),
      () => store.delete(['k']),
    ]) {
      await expect(call()).rejects.toSatisfy(
        (error) =>
          VarveError.is(error, 'NotFound') && /the store never creates the bucket/.test(error.message),
      )
    }
    await store.close?.()
  })

  it(
    ignoresConditionalWrites === undefined
      ? 'a create that loses is AlreadyExists with S3’s 412 as the cause'
      : `a create that loses is AlreadyExists (${ignoresConditionalWrites})`,
    async () => {
      const admin = localClient(open.endpoint)
      const bucket = await createTestBucket(admin).finally(() => admin.destroy())
      const store = createS3Store({ ...localOptions(open.endpoint), ...serverOptions, bucket })
      await store.create('k', new Uint8Array([1]))
      const error = await store.create('k', new Uint8Array([2])).catch((e: unknown) => e)
      expect(VarveError.is(error, 'AlreadyExists')).toBe(true)
      if (ignoresConditionalWrites === undefined)
        expect((error as VarveError).cause).toMatchObject({ $metadata: { httpStatusCode: 412 } })
      expect(await store.get('k')).toEqual(new Uint8Array([1]))
      await store.close?.()
    },
  )

  it('a server that does not answer is Transient once the retries are spent', async () => {
    const unused = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => unused.once('listening', resolve))
    const { port } = unused.address() as { port: number }
    await new Promise((resolve) => unused.close(resolve))
    const store = createS3Store({
      ...localOptions(`http://127.0.0.1:${port}`),
      bucket: 'varve-nobody-home',
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    })
    const error = await store.get('k').catch((e: unknown) => e)
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as VarveError).message).toMatch(/ECONNREFUSED.*Gave up after 2 attempts/)
    expect((error as VarveError).cause).toMatchObject({ code: 'ECONNREFUSED' })
    await store.close?.()
  })
})

// fauxqs checks no credentials at all: this case needs moto, whose IAM checks them on request.
describe.runIf(serverKind === 'moto')('errors provoked on moto checking credentials', () => {
  let locked: ServerProcess
  let bucket: string

  beforeAll(async () => {
    // Credentials are checked after the first request, which creates the bucket.
    locked = await startMoto({ authenticate: { freeActions: 1 } })
    const admin = localClient(locked.endpoint)
    bucket = await createTestBucket(admin).finally(() => admin.destroy())
  })
  afterAll(async () => {
    await locked?.stop()
  })

  it('credentials the server does not know are PermissionDenied, and the message holds no secret', async () => {
    const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI-secret' }
    const store = createS3Store({ ...localOptions(locked.endpoint), credentials, bucket })
    const error = await store.get('k').catch((e: unknown) => e)
    expect(VarveError.is(error, 'PermissionDenied')).toBe(true)
    expect((error as VarveError).message).toMatch(
      /^Could not read "k" in s3:\/\/varve-test-\w+: InvalidAccessKeyId, HTTP 403/,
    )
    expect((error as VarveError).message).not.toMatch(/AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI-secret/)
    await store.close?.()
  })
})
