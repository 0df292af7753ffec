import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { openStore, Repo, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openS3Store } from '../src/open-s3-store.ts'
import { createTestBucket, credentials, localClient, localOptions, randomPrefix } from './local-s3.ts'
import { serverKind, serverOptions, startS3Server } from './s3-server.ts'
import type { ServerProcess } from './server-process.ts'

const day = (d: number) => `2024-03-${String(d).padStart(2, '0')}T00:00:00Z`

describe(`opening s3:// URIs (${serverKind})`, () => {
  let server: ServerProcess
  let admin: S3Client
  let bucket: string

  beforeAll(async () => {
    server = await startS3Server()
    admin = localClient(server.endpoint)
    bucket = await createTestBucket(admin)
  })
  afterAll(async () => {
    admin?.destroy()
    await server?.stop()
  })

  it('Repo.open writes a series under the URI’s prefix and a second open reads it back', async () => {
    const prefix = `repos/${randomPrefix()}`
    const uri = `s3://${bucket}/${prefix}`
    const store = { ...localOptions(server.endpoint), ...serverOptions }
    const repo = await Repo.open(uri, { store })
    const temperature = await repo.createCollection('temperature', {
      timestamp: 'timestamp*',
      value: 'float64',
    })
    await temperature.series('brussels').write({ timestamp: [1, 2, 3].map(day), value: [7.5, 8, 6.25] })
    await temperature.series('brussels').write({ timestamp: [day(4)], value: [9] })
    await repo.close()

    const again = await Repo.open(uri, { store, create: false })
    const frame = await (await again.collection('temperature'))!.series('brussels').read()
    expect([...(frame.column('value') as Float64Array)]).toEqual([7.5, 8, 6.25, 9])
    expect(await again.collections()).toEqual(['temperature'])
    await again.close()

    const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }))
    const names = (listed.Contents ?? []).map(({ Key }) => Key as string)
    expect(names).toContain(`${prefix}/varve.json`)
    expect(names.length).toBeGreaterThan(3)
  })

  it('core’s openStore finds openS3Store, and the description carries the bucket and prefix, no credentials', async () => {
    const store = await openStore(`s3://${bucket}/a/b/`, { ...localOptions(server.endpoint) })
    expect(store.description).toBe(`s3://${bucket}/a/b`)
    expect(store.description).not.toContain(credentials.secretAccessKey)
    await store.put('k', new Uint8Array([1]))
    expect(await store.get('k')).toEqual(new Uint8Array([1]))
    await store.delete(['k'])
    await store.close?.()
  })

  it('decodes a percent-encoded prefix', () => {
    const store = openS3Store(new URL('s3://my-bucket/caf%C3%A9/x%20y'), { region: 'eu-west-1' })
    expect(store.description).toBe('s3://my-bucket/café/x y')
  })

  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ['credentials in the URI', 's3://AKIAX:secret-key@my-bucket/p', {}, /must not hold credentials/],
    [
      'a query',
      's3://my-bucket/p?region=eu-west-1',
      {},
      /pass region, endpoint and the other settings as options/,
    ],
    ['the bucket as an option too', 's3://my-bucket/p', { bucket: 'other' }, /bucket comes from the URI/],
    ['a bucket name S3 refuses', 's3://My_Bucket/p', {}, /3 to 63 lowercase letters/],
    ['an unknown option', 's3://my-bucket/p', { endpiont: 'http://x' }, /Unknown S3 store option "endpiont"/],
  ])('refuses %s with InvalidArgument, repeating no secret', async (_, uri, options, message) => {
    const error = await openStore(uri, options).catch((e: unknown) => e)
    expect(VarveError.is(error, 'InvalidArgument')).toBe(true)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain('secret-key')
  })
})
