import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3'
import { VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { S3StoreOptions } from '../src/options.ts'
import { createS3Store } from '../src/s3-store.ts'
import { type FlakyProxy, startFlakyProxy } from './flaky-proxy.ts'
import { createTestBucket, localClient, localOptions, randomPrefix } from './local-s3.ts'
import { serverKind, serverOptions, startS3Server } from './s3-server.ts'
import type { ServerProcess } from './server-process.ts'

const MiB = 1024 * 1024
const bytesOf = (text: string) => new TextEncoder().encode(text)

// Real network failures between the SDK and the server, cut by a TCP proxy: the store's retries and its
// handling of lost responses, end to end.
describe(`the S3 store through a flaky network to ${serverKind}`, () => {
  let server: ServerProcess
  let proxy: FlakyProxy
  let admin: S3Client
  let bucket: string
  const closers: (() => Promise<void>)[] = []
  const open = (options: Partial<S3StoreOptions> = {}) => {
    const prefix = randomPrefix()
    const store = createS3Store({
      ...localOptions(proxy.endpoint),
      ...serverOptions,
      bucket,
      prefix,
      retry: { baseDelayMs: 1, maxDelayMs: 20 },
      ...options,
    })
    closers.push(async () => store.close?.())
    return { store, prefix }
  }
  /** Matches the first line of requests to one object (`PUT /bucket/prefix/key?… HTTP/1.1`), with `query` in the query if given. */
  const to = (method: string, prefix: string, key: string, query?: string) =>
    new RegExp(
      `^${method} /${bucket}/${prefix}/${key}${query === undefined ? '(\\?\\S*)?' : `\\?\\S*${query}\\S*`} HTTP`,
    )

  beforeAll(async () => {
    server = await startS3Server()
    admin = localClient(server.endpoint)
    bucket = await createTestBucket(admin)
    proxy = await startFlakyProxy(server.endpoint)
  })
  afterAll(async () => {
    for (const close of closers) await close()
    admin?.destroy()
    await proxy?.close()
    await server?.stop()
  })

  it('retries requests cut before they reach the server', async () => {
    const { store, prefix } = open()
    proxy.inject({ match: to('PUT', prefix, 'k'), times: 2, kind: 'reset' })
    proxy.inject({ match: to('GET', prefix, 'k'), times: 2, kind: 'reset' })
    await store.put('k', bytesOf('hello'))
    expect(await store.get('k')).toEqual(bytesOf('hello'))
    expect(proxy.hits.filter((line) => line.includes(`/${prefix}/k`))).toHaveLength(4)
  })

  it('gives up after maxAttempts with Transient, naming the key and the store, the network error as cause', async () => {
    const { store, prefix } = open({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } })
    proxy.inject({ match: to('GET', prefix, 'k'), times: 3, kind: 'reset' })
    const error = await store.get('k').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(VarveError.is(error, 'Transient')).toBe(true)
    const failure = error as VarveError
    expect(failure.message).toMatch(
      new RegExp(`^Could not read "k" in s3://${bucket}/${prefix}: .*Gave up after 3 attempts`),
    )
    expect(failure.details).toMatchObject({ key: 'k', attempts: 3 })
    expect(failure.cause).toBeInstanceOf(Error)
  })

  it('a create whose response was lost succeeds on retry: the key holds its own bytes', async () => {
    const { store, prefix } = open()
    proxy.inject({ match: to('PUT', prefix, 'mine'), times: 1, kind: 'lose-response' })
    await store.create('mine', bytesOf('mine'))
    expect(await store.get('mine')).toEqual(bytesOf('mine'))
    expect(proxy.hits.at(-1)).toMatch(/^PUT /)
  })

  it('a create whose response was lost still throws AlreadyExists when another writer holds the key', async () => {
    const { store, prefix } = open()
    await store.put('theirs', bytesOf('theirs'))
    proxy.inject({ match: to('PUT', prefix, 'theirs'), times: 1, kind: 'lose-response' })
    await expect(store.create('theirs', bytesOf('mine'))).rejects.toSatisfy((error) =>
      VarveError.is(error, 'AlreadyExists'),
    )
    expect(await store.get('theirs')).toEqual(bytesOf('theirs'))
  })

  it('a put whose response was lost is retried and lands', async () => {
    const { store, prefix } = open()
    proxy.inject({ match: to('PUT', prefix, 'k'), times: 1, kind: 'lose-response' })
    await store.put('k', bytesOf('v2'))
    expect(await store.get('k')).toEqual(bytesOf('v2'))
  })

  it('retries a lost part, and a multipart create whose completion response was lost succeeds once', async () => {
    const { store, prefix } = open({ multipartThreshold: 5 * MiB, partSize: 5 * MiB })
    const big = new Uint8Array(11 * MiB).map((_, i) => i % 251)
    proxy.inject({ match: to('PUT', prefix, 'big', 'partNumber=2'), times: 1, kind: 'reset' })
    proxy.inject({ match: to('POST', prefix, 'big', 'uploadId='), times: 1, kind: 'lose-response' })
    const before = proxy.hits.length
    await store.create('big', big)
    expect(proxy.hits.slice(before)).toEqual([
      expect.stringMatching(/^PUT .*partNumber=2/),
      expect.stringMatching(/^POST .*uploadId=/),
    ])
    expect(Buffer.from((await store.get('big')) as Uint8Array).equals(big)).toBe(true)
    await expect(store.create('big', big)).rejects.toSatisfy((error) => VarveError.is(error, 'AlreadyExists'))
    const uploads = await admin.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }),
    )
    expect(uploads.Uploads ?? []).toEqual([])
  })

  it('aborts a multipart upload that fails, leaving no parts behind', async () => {
    const { store, prefix } = open({
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
      retry: { maxAttempts: 1 },
    })
    proxy.inject({ match: to('PUT', prefix, 'big', 'partNumber=2'), times: 1, kind: 'reset' })
    await expect(store.put('big', new Uint8Array(11 * MiB))).rejects.toSatisfy((error) =>
      VarveError.is(error, 'Transient'),
    )
    expect(await store.get('big')).toBeUndefined()
    const uploads = await admin.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }),
    )
    expect(uploads.Uploads ?? []).toEqual([])
  })
})
