import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { type Store, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createS3Store } from '../src/s3-store.ts'
import { createTestBucket, localClient, localOptions, randomPrefix } from './local-s3.ts'
import { ignoresConditionalWrites, serverKind, serverOptions, startS3Server } from './s3-server.ts'
import type { ServerProcess } from './server-process.ts'

const MiB = 1024 * 1024

function payload(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 10)) & 0xff
  return bytes
}

describe('createS3Store options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no bucket', {}, /needs a bucket name/],
    ['a bucket name S3 refuses', { bucket: 'My_Bucket' }, /3 to 63 lowercase letters/],
    ['an unknown option', { bucket: 'b-1', regoin: 'eu-west-1' }, /Unknown S3 store option "regoin"/],
    ['a prefix that cannot begin a key', { bucket: 'b-1', prefix: 'a/../b' }, /cannot begin a key/],
    ['an endpoint that is no http URL', { bucket: 'b-1', endpoint: 'ftp://host' }, /http:\/\/ or https:\/\//],
    ['a region that is no region name', { bucket: 'b-1', region: 'EU West' }, /region name such as/],
    ['forcePathStyle that is no boolean', { bucket: 'b-1', forcePathStyle: 'yes' }, /true or false/],
    [
      'credentials of the wrong shape',
      { bucket: 'b-1', credentials: 'key:secret' },
      /accessKeyId, secretAccessKey/,
    ],
    ['a client that is no S3Client', { bucket: 'b-1', client: {} }, /must be an S3Client/],
    [
      'parts below S3’s 5 MiB minimum',
      { bucket: 'b-1', partSize: 4 * MiB },
      /partSize must be .* from 5242880/,
    ],
    ['a threshold of 0 bytes', { bucket: 'b-1', multipartThreshold: 0 }, /multipartThreshold must be/],
    [
      'retries of 0 attempts',
      { bucket: 'b-1', retry: { maxAttempts: 0 } },
      /maxAttempts must be a whole number ≥ 1/,
    ],
  ])('refuses %s with InvalidArgument', (_, options, message) => {
    expect(() => createS3Store(options as never)).toThrowError(message)
    try {
      createS3Store(options as never)
    } catch (error) {
      expect(VarveError.is(error, 'InvalidArgument')).toBe(true)
    }
  })

  it('refuses client settings next to a ready client: they would be silently ignored', () => {
    const client = localClient('http://127.0.0.1:1')
    expect(() => createS3Store({ bucket: 'b-1', client, region: 'eu-west-1' })).toThrowError(
      /options region configure a client, but a ready client was given/,
    )
    client.destroy()
  })

  it('describes itself as s3://bucket/prefix, trims the slashes of the prefix, and declares its capabilities', () => {
    const options = {
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'shh' },
    }
    expect(createS3Store({ bucket: 'my-bucket', ...options }).description).toBe('s3://my-bucket')
    const store = createS3Store({ bucket: 'my-bucket', prefix: '/teams/ops/', ...options })
    expect(store.description).toBe('s3://my-bucket/teams/ops')
    expect(store.capabilities).toEqual({ atomicCreate: true, rangeRead: true })
    const asking = createS3Store({ bucket: 'my-bucket', atomicCreate: false, ...options })
    expect(asking.capabilities).toEqual({ atomicCreate: false, rangeRead: true })
    expect(() =>
      createS3Store({ bucket: 'my-bucket', atomicCreate: 'no' as never, ...options }),
    ).toThrowError(/atomicCreate must be true or false/)
  })
})

describe(`the S3 store on ${serverKind}`, () => {
  let server: ServerProcess
  let admin: S3Client
  let bucket: string
  const stores: Store[] = []
  const open = (options: Partial<Parameters<typeof createS3Store>[0]> = {}) => {
    const store = createS3Store({
      ...localOptions(server.endpoint),
      ...serverOptions,
      bucket,
      prefix: randomPrefix(),
      ...options,
    })
    stores.push(store)
    return store
  }
  const objectNames = async (prefix: string) => {
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
    return (listed.Contents ?? []).map(({ Key }) => Key)
  }

  beforeAll(async () => {
    server = await startS3Server()
    admin = localClient(server.endpoint)
    bucket = await createTestBucket(admin)
  })
  afterAll(async () => {
    for (const store of stores) await store.close?.()
    admin?.destroy()
    await server?.stop()
  })

  it('keeps each store inside its prefix, even where one prefix begins another', async () => {
    const run = randomPrefix()
    const short = open({ prefix: `${run}/a` })
    const long = open({ prefix: `${run}/ab` })
    await short.put('k', new Uint8Array([1]))
    await long.put('k', new Uint8Array([2]))
    expect(await objectNames(`${run}/`)).toEqual([`${run}/a/k`, `${run}/ab/k`])
    const listed: string[] = []
    for await (const key of short.list('')) listed.push(key)
    expect(listed).toEqual(['k'])
    expect(await short.get('k')).toEqual(new Uint8Array([1]))
  })

  it('skips objects whose names are no store keys (folder markers, dot-names, empty segments)', async () => {
    const prefix = randomPrefix()
    const store = open({ prefix })
    for (const name of ['folder/', '.hidden', 'a//b', 'ok', 'dir/.tmp', 'dir/ok'])
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${name}`, Body: 'x' }))
    const listed: string[] = []
    for await (const key of store.list('')) listed.push(key)
    expect(listed).toEqual(['dir/ok', 'ok'])
  })

  it('uses a ready client and leaves it open on close', async () => {
    const client = localClient(server.endpoint)
    const store = createS3Store({ client, bucket, prefix: randomPrefix() })
    await store.put('k', new Uint8Array([7]))
    await store.close?.()
    expect(await store.get('k')).toEqual(new Uint8Array([7]))
    client.destroy()
  })

  it('uploads objects above the threshold in parts, for put and for create', async () => {
    const prefix = randomPrefix()
    const store = open({ prefix, multipartThreshold: 6 * MiB, partSize: 5 * MiB })
    const big = payload(1, 11 * MiB + 3)
    await store.put('big', big)
    expect(Buffer.from((await store.get('big')) as Uint8Array).equals(big)).toBe(true)
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/big` }))
    expect(head.ETag).toMatch(/-3"$/)
    expect(head.ContentLength).toBe(big.length)

    const created = payload(2, 6 * MiB + 1)
    await store.create('created', created)
    expect(Buffer.from((await store.get('created')) as Uint8Array).equals(created)).toBe(true)
    expect((await store.getRange('created', { offset: 5 * MiB - 2, length: 4 }))!).toEqual(
      created.subarray(5 * MiB - 2, 5 * MiB + 2),
    )
  })

  it('refuses a multipart create of an existing key, keeps the object, and leaves no upload behind', async () => {
    const prefix = randomPrefix()
    const store = open({ prefix, multipartThreshold: 5 * MiB, partSize: 5 * MiB })
    await store.put('taken', new Uint8Array([1, 2, 3]))
    await expect(store.create('taken', payload(3, 7 * MiB))).rejects.toSatisfy(
      (error) =>
        VarveError.is(error, 'AlreadyExists') && /"taken" already exists in s3:\/\//.test(error.message),
    )
    expect(await store.get('taken')).toEqual(new Uint8Array([1, 2, 3]))
    const uploads = await admin.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }),
    )
    expect(uploads.Uploads ?? []).toEqual([])
  })

  it(
    ignoresConditionalWrites === undefined
      ? 'has exactly one winner among 20 racers that each use their own client (as on separate machines)'
      : `has at least one winner among 20 racers that each use their own client (${ignoresConditionalWrites})`,
    async () => {
      const prefix = randomPrefix()
      for (let round = 0; round < 3; round++) {
        const racers = Array.from({ length: 20 }, () => open({ prefix }))
        const outcomes = await Promise.allSettled(
          racers.map((store, i) => store.create(`race-${round}`, payload(i, 2048))),
        )
        const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []))
        if (ignoresConditionalWrites === undefined) expect(winners).toHaveLength(1)
        else expect(winners.length).toBeGreaterThan(0)
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(VarveError.is(outcome.reason, 'AlreadyExists')).toBe(true)
        }
        const stored = await racers[0]!.get(`race-${round}`)
        expect(winners.map((i) => payload(i, 2048))).toContainEqual(stored)
      }
    },
  )

  it('deletes keys given twice, and deletes only its own prefix', async () => {
    const run = randomPrefix()
    const mine = open({ prefix: `${run}/mine` })
    const theirs = open({ prefix: `${run}/theirs` })
    await mine.put('k', new Uint8Array([1]))
    await theirs.put('k', new Uint8Array([2]))
    await mine.delete(['k', 'k', 'never-written'])
    expect(await mine.get('k')).toBeUndefined()
    expect(await theirs.get('k')).toEqual(new Uint8Array([2]))
  })
})
