import { randomBytes } from 'node:crypto'
import { type Bucket, Storage } from '@google-cloud/storage'
import { VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGcsStore } from '../src/gcs-store.ts'
import type { GcsStoreOptions } from '../src/options.ts'
import { type GcsEmulator, startGcsEmulator } from './gcs-emulator.ts'
import { type LossyProxy, startLossyProxy } from './lossy-proxy.ts'

const invalidArgument = (options: unknown) => {
  try {
    createGcsStore(options as GcsStoreOptions)
  } catch (error) {
    expect(VarveError.is(error, 'InvalidArgument')).toBe(true)
    return (error as Error).message
  }
  return expect.unreachable(`createGcsStore(${JSON.stringify(options)}) did not throw`)
}

describe('createGcsStore options', () => {
  const storage = new Storage({ apiEndpoint: 'http://127.0.0.1:9' })

  it('describes the store as gs://bucket/prefix and declares atomic create and ranged reads', () => {
    expect(createGcsStore({ bucket: 'b-1' }).description).toBe('gs://b-1')
    expect(createGcsStore({ bucket: 'b-1', prefix: 'repos/prices' }).description).toBe(
      'gs://b-1/repos/prices',
    )
    expect(createGcsStore({ bucket: 'b-1', prefix: 'repos/prices/' }).description).toBe(
      'gs://b-1/repos/prices',
    )
    expect(createGcsStore({ bucket: storage.bucket('ready'), prefix: 'p' }).description).toBe('gs://ready/p')
    expect(createGcsStore({ bucket: 'b-1', storage }).capabilities).toEqual({
      atomicCreate: true,
      rangeRead: true,
    })
  })

  it('refuses malformed options, naming the option and what to pass', () => {
    expect(invalidArgument(undefined)).toMatch(/must be an object such as \{ bucket: 'my-bucket' \}/)
    expect(invalidArgument({})).toMatch(/needs a bucket/)
    expect(invalidArgument({ bucket: 'Upper_Case' })).toMatch(/lowercase letters/)
    expect(invalidArgument({ bucket: 'b-1', region: 'eu' })).toMatch(/Unknown GCS store option "region"/)
    expect(invalidArgument({ bucket: storage.bucket('x'), projectId: 'p' })).toMatch(
      /ready Bucket and projectId/,
    )
    expect(invalidArgument({ bucket: 'b-1', storage, apiEndpoint: 'http://h' })).toMatch(
      /ready Storage and apiEndpoint/,
    )
    expect(invalidArgument({ bucket: 'b-1', storage: {} })).toMatch(/must be a Storage/)
    expect(invalidArgument({ bucket: 'b-1', apiEndpoint: '127.0.0.1:9199' })).toMatch(/http\(s\) URL/)
    expect(invalidArgument({ bucket: 'b-1', apiEndpoint: 'http://u:p@h' })).toMatch(
      /must not hold credentials/,
    )
    expect(invalidArgument({ bucket: 'b-1', projectId: '' })).toMatch(/projectId must be a non-empty string/)
    for (const prefix of ['/abs', 'a//b', '.hidden', 'a/../b']) {
      expect(invalidArgument({ bucket: 'b-1', prefix })).toMatch(/is not a valid key prefix/)
    }
    expect(invalidArgument({ bucket: 'b-1', resumableThreshold: -1 })).toMatch(
      /resumableThreshold must be a whole/,
    )
    expect(invalidArgument({ bucket: 'b-1', deleteConcurrency: 0 })).toMatch(
      /deleteConcurrency must be a whole number ≥ 1/,
    )
    expect(invalidArgument({ bucket: 'b-1', retry: { attempts: 0 } })).toMatch(
      /retry.attempts must be a whole number ≥ 1/,
    )
  })

  it('refuses a key whose object name, prefix included, passes 1,024 bytes, and bytes that are not a Uint8Array', async () => {
    const store = createGcsStore({ bucket: 'b-1', prefix: 'p'.repeat(200), storage })
    const key = Array.from({ length: 4 }, () => 'k'.repeat(250)).join('/')
    const error = await store.put(key, new Uint8Array(1)).catch((e: unknown) => e)
    expect(VarveError.is(error, 'InvalidKey')).toBe(true)
    expect((error as Error).message).toMatch(/its object name is 1204 UTF-8 bytes, over the 1024/)
    const notBytes = await store.put('k', 'text' as unknown as Uint8Array).catch((e: unknown) => e)
    expect(VarveError.is(notBytes, 'InvalidArgument')).toBe(true)
  })
})

describe('the GCS store on the Firebase Storage emulator', () => {
  let emulator: GcsEmulator
  let proxy: LossyProxy
  let raw: Bucket
  const bucket = 'varve-store'
  let run: string
  const store = (options: Partial<GcsStoreOptions> = {}) =>
    createGcsStore({
      bucket,
      prefix: run,
      apiEndpoint: proxy.endpoint,
      projectId: emulator.projectId,
      ...options,
    })
  const since = (before: number) => proxy.requests.slice(before)

  beforeAll(async () => {
    emulator = await startGcsEmulator()
    proxy = await startLossyProxy(emulator.endpoint)
    raw = new Storage({ apiEndpoint: emulator.endpoint, projectId: emulator.projectId }).bucket(bucket)
    run = `store-${randomBytes(6).toString('hex')}`
  })
  afterAll(async () => {
    await proxy?.close()
    await emulator?.stop()
  })

  it('keeps key k as the object <prefix>/k, and stores under other prefixes never see each other', async () => {
    const layout = `${run}/layout`
    const prices = store({ prefix: `${layout}/prices` })
    const other = store({ prefix: `${layout}/other` })
    await prices.put('a/b', new Uint8Array([1, 2]))
    const [files] = await raw.getFiles({ prefix: `${layout}/` })
    expect(files.map((file) => file.name)).toEqual([`${layout}/prices/a/b`])
    expect(await other.get('a/b')).toBeUndefined()
    const listed: string[] = []
    for await (const key of store({ prefix: layout }).list('')) listed.push(key)
    expect(listed).toEqual(['prices/a/b'])
  })

  it('lists without a delimiter, 1,000 names a page, and skips object names that are not valid keys', async () => {
    const prefix = `${run}/odd`
    for (const name of ['folder/', '.hidden', 'a//b', 'ok', 'x/.tmp', 'x/y'])
      await raw.file(`${prefix}/${name}`).save(Buffer.from(name))
    const before = proxy.requests.length
    const listed: string[] = []
    for await (const key of store({ prefix }).list('')) listed.push(key)
    expect(listed).toEqual(['ok', 'x/y'])
    const listings = since(before).filter((r) => r.startsWith(`GET /storage/v1/b/${bucket}/o?`))
    expect(listings).toHaveLength(1)
    expect(listings[0]).toContain('maxResults=1000')
    expect(listings[0]).not.toContain('delimiter')
  })

  it('uploads objects above resumableThreshold through a resumable session, create still conditional', async () => {
    const big = store({ resumableThreshold: 64 * 1024 })
    const bytes = randomBytes(300 * 1024)
    const before = proxy.requests.length
    await big.put('big-put', bytes)
    await big.create('big-create', bytes)
    await big.put('small', new Uint8Array(10))
    const uploads = since(before).filter((r) => r.includes('/upload/'))
    expect(uploads.filter((r) => r.startsWith('POST') && r.includes('uploadType=resumable'))).toHaveLength(2)
    expect(uploads.filter((r) => r.startsWith('PUT'))).toHaveLength(2)
    expect(uploads.filter((r) => r.includes('uploadType=multipart'))).toHaveLength(1)
    expect(uploads.find((r) => r.includes('big-create'))).toMatch(/ifGenerationMatch=0/)
    // Buffer.equals: a deep toEqual over 300 KiB takes seconds.
    expect(Buffer.from((await big.get('big-put'))!).equals(bytes)).toBe(true)
    expect(Buffer.from((await big.get('big-create'))!).equals(bytes)).toBe(true)
    expect(Buffer.from((await big.getRange('big-create', { offset: 1000, length: 5 }))!)).toEqual(
      bytes.subarray(1000, 1005),
    )
  })

  it('deletes with at most deleteConcurrency requests at once, each absent key fine', async () => {
    const limited = store({ prefix: `${run}/deletes`, deleteConcurrency: 4 })
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`)
    await Promise.all(keys.map((key) => limited.put(key, new Uint8Array([1]))))
    proxy.resetPeak()
    const before = proxy.requests.length
    await limited.delete([...keys, 'absent', 'k0'])
    expect(proxy.peakInFlight()).toBeLessThanOrEqual(4)
    expect(since(before).filter((r) => r.startsWith('DELETE'))).toHaveLength(41)
    const left: string[] = []
    for await (const key of limited.list('')) left.push(key)
    expect(left).toEqual([])
  })
})
