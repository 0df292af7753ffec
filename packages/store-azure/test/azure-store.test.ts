import { randomBytes } from 'node:crypto'
import { type ContainerClient, ContainerSASPermissions } from '@azure/storage-blob'
import { compareKeys, type Store, VarveError } from '@varve/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CREATE_TOKEN_METADATA, createAzureStore } from '../src/azure-store.ts'
import type { AzureStoreOptions } from '../src/options.ts'
import { ACCOUNT, ACCOUNT_KEY, type Azurite, startAzurite } from './azurite.ts'
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts'

const text = (value: string) => new TextEncoder().encode(value)

let server: Azurite
let container: string
let raw: ContainerClient
beforeAll(async () => {
  server = await startAzurite()
  container = await server.createContainer()
  raw = server.service.getContainerClient(container)
})
afterAll(async () => {
  await server?.stop()
})

function storeOn(options: Partial<AzureStoreOptions> = {}): Store {
  return createAzureStore({ connectionString: server.connectionString, container, ...options })
}

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const key of keys) all.push(key)
  return all
}

async function blobNames(prefix: string): Promise<string[]> {
  const names: string[] = []
  for await (const item of raw.listBlobsFlat({ prefix })) names.push(item.name)
  return names
}

const unique = () => randomBytes(6).toString('hex')

describe('layout', () => {
  it('keeps the object under key k as the block blob <prefix>/k, typed as bytes', async () => {
    const prefix = `layout-${unique()}`
    const store = storeOn({ prefix: `${prefix}/inner` })
    await store.put('a/b', text('put'))
    await store.create('c', text('created'))
    expect(await blobNames(`${prefix}/`)).toEqual([`${prefix}/inner/a/b`, `${prefix}/inner/c`])
    const properties = await raw.getBlockBlobClient(`${prefix}/inner/a/b`).getProperties()
    expect(properties.blobType).toBe('BlockBlob')
    expect(properties.contentType).toBe('application/octet-stream')
    expect(properties.contentLength).toBe(3)
    const created = await raw.getBlockBlobClient(`${prefix}/inner/c`).getProperties()
    expect(created.metadata?.[CREATE_TOKEN_METADATA]).toMatch(/^[0-9a-f]{32}$/)
  })

  it('lists only valid keys under its prefix, skipping blobs other tools wrote', async () => {
    const prefix = `foreign-${unique()}`
    for (const name of [
      `${prefix}/ok`,
      `${prefix}/.hidden`,
      `${prefix}/x//y`,
      `${prefix}/dir/`,
      `${prefix}-sibling/k`,
    ])
      await raw.getBlockBlobClient(name).upload('x', 1)
    expect(await collect(storeOn({ prefix }).list(''))).toEqual(['ok'])
  })

  it('refuses keys that, with the prefix, break Azure’s blob name limits, sending nothing', async () => {
    const store = storeOn({ prefix: 'p'.repeat(200) })
    const long = `${'k'.repeat(200)}/${'k'.repeat(200)}/${'k'.repeat(200)}/${'k'.repeat(200)}/${'k'.repeat(20)}`
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(1024)
    const error = await store.put(long, text('x')).catch((e: unknown) => e)
    expect(VarveError.is(error, 'InvalidKey')).toBe(true)
    expect((error as Error).message).toMatch(/blob name of 1025 characters, over Azure's 1024/)
    const deep = Array.from({ length: 300 }, () => 'd').join('/')
    const tooDeep = await storeOn()
      .create(deep, text('x'))
      .catch((e: unknown) => e)
    expect((tooDeep as Error).message).toMatch(/more than Azure's 254 '\/'-separated segments/)
  })

  it('reads ranges: across the end, of length 0, of an empty object, of a missing key', async () => {
    const store = storeOn({ prefix: `ranges-${unique()}` })
    await store.put('ten', text('0123456789'))
    await store.put('empty', new Uint8Array(0))
    expect(await store.getRange('ten', { offset: 8, length: 5 })).toEqual(text('89'))
    expect(await store.getRange('ten', { offset: 10, length: 5 })).toEqual(new Uint8Array(0))
    expect(await store.getRange('ten', { offset: 3, length: 0 })).toEqual(new Uint8Array(0))
    expect(await store.getRange('empty', { offset: 0, length: 4 })).toEqual(new Uint8Array(0))
    expect(await store.get('empty')).toEqual(new Uint8Array(0))
    expect(await store.getRange('missing', { offset: 0, length: 0 })).toBeUndefined()
    expect(await store.getRange('missing', { offset: 0, length: 4 })).toBeUndefined()
  })
})

describe('large objects in blocks', () => {
  const blocks = { singleUploadBytes: 16 * 1024, blockBytes: 16 * 1024 }

  it('stages blocks and commits them once, and reads the object and its ranges back', async () => {
    const prefix = `blocks-${unique()}`
    const store = storeOn({ prefix, ...blocks, uploadConcurrency: 3 })
    const bytes = randomBytes(100 * 1024 + 17)
    await store.put('big', bytes)
    const list = await raw.getBlockBlobClient(`${prefix}/big`).getBlockList('all')
    expect(list.committedBlocks?.map((block) => block.size)).toEqual([
      ...Array(6).fill(16 * 1024),
      4 * 1024 + 17,
    ])
    expect(new Set(list.committedBlocks?.map((block) => block.name.length))).toEqual(new Set([64]))
    expect(Buffer.from((await store.get('big'))!)).toEqual(bytes)
    expect(Buffer.from((await store.getRange('big', { offset: 16 * 1024 - 3, length: 6 }))!)).toEqual(
      bytes.subarray(16 * 1024 - 3, 16 * 1024 + 3),
    )
    await store.create('big-created', bytes)
    const error = await store.create('big-created', randomBytes(40 * 1024)).catch((e: unknown) => e)
    expect(VarveError.is(error, 'AlreadyExists')).toBe(true)
    expect(Buffer.from((await store.get('big-created'))!)).toEqual(bytes)
  })

  it('16 racers creating one key in blocks: exactly one wins, every round', async () => {
    const store = storeOn({ prefix: `block-race-${unique()}`, ...blocks })
    for (let round = 0; round < 3; round++) {
      const payloads = Array.from({ length: 16 }, () => randomBytes(64 * 1024))
      const outcomes = await Promise.allSettled(payloads.map((bytes) => store.create(`key-${round}`, bytes)))
      const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []))
      expect(winners).toHaveLength(1)
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          const { reason } = outcome
          expect(
            VarveError.is(reason, 'AlreadyExists') || VarveError.is(reason, 'PreconditionFailed'),
            String(reason),
          ).toBe(true)
        }
      }
      expect(Buffer.from((await store.get(`key-${round}`))!)).toEqual(payloads[winners[0]!])
    }
  })

  it('8 concurrent overwrites of one key in blocks all succeed (staging again when another commit drops their blocks)', async () => {
    const store = storeOn({ prefix: `block-overwrite-${unique()}`, ...blocks })
    const payloads = Array.from({ length: 8 }, () => randomBytes(48 * 1024))
    await Promise.all(payloads.map((bytes) => store.put('contested', bytes)))
    const stored = Buffer.from((await store.get('contested'))!)
    expect(payloads.some((bytes) => bytes.equals(stored))).toBe(true)
  })
})

describe('other ways to reach the container', () => {
  it('account and key, SAS token, container SAS URL, account SAS URL, ready clients, the environment', async () => {
    const prefix = `credentials-${unique()}`
    const containerSas = await raw.generateSasUrl({
      permissions: ContainerSASPermissions.parse('racwdl'),
      expiresOn: new Date(Date.now() + 3600_000),
    })
    const sasToken = new URL(containerSas).search
    const variants: [string, Partial<AzureStoreOptions>][] = [
      [
        'accountKey',
        { connectionString: undefined, account: ACCOUNT, accountKey: ACCOUNT_KEY, endpoint: server.endpoint },
      ],
      ['sasToken', { connectionString: undefined, account: ACCOUNT, sasToken, endpoint: server.endpoint }],
      ['container sasUrl', { connectionString: undefined, container: undefined, sasUrl: containerSas }],
      ['serviceClient', { connectionString: undefined, serviceClient: server.service }],
      ['containerClient', { connectionString: undefined, container: undefined, containerClient: raw }],
    ]
    const saved = process.env.AZURE_STORAGE_CONNECTION_STRING
    process.env.AZURE_STORAGE_CONNECTION_STRING = server.connectionString
    try {
      variants.push(['the environment', { connectionString: undefined }])
      for (const [name, options] of variants) {
        const store = storeOn({ prefix, ...options })
        expect(store.description, name).toBe(`az://${ACCOUNT}/${container}/${prefix}`)
        await store.create(`by-${name}`, text(name))
        expect(await store.get(`by-${name}`), name).toEqual(text(name))
      }
    } finally {
      if (saved === undefined) delete process.env.AZURE_STORAGE_CONNECTION_STRING
      else process.env.AZURE_STORAGE_CONNECTION_STRING = saved
    }
    expect(await collect(storeOn({ prefix }).list('by-'))).toEqual(
      variants.map(([name]) => `by-${name}`).sort(compareKeys),
    )
  })
})

describe('through a faulty network', () => {
  let proxy: FaultProxy
  beforeAll(async () => {
    proxy = await startFaultProxy(server, ACCOUNT)
  })
  afterEach(() => {
    proxy.rule = () => 'forward'
    proxy.seen.length = 0
  })
  afterAll(async () => {
    await proxy?.close()
  })

  function storeThroughProxy(options: Partial<AzureStoreOptions> = {}): Store {
    return createAzureStore({
      account: ACCOUNT,
      accountKey: ACCOUNT_KEY,
      endpoint: proxy.endpoint,
      container,
      prefix: `faults-${unique()}`,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
      ...options,
    })
  }
  const puts = (suffix: string) => proxy.seen.filter((r) => r.method === 'PUT' && r.url.includes(suffix))

  it('a create whose response is lost is retried and recognised as its own: it succeeds', async () => {
    const store = storeThroughProxy()
    let lost = false
    proxy.rule = ({ method, url }) => {
      if (method === 'PUT' && url.includes('/landed') && !lost) {
        lost = true
        return 'lose-response'
      }
      return 'forward'
    }
    await store.create('landed', text('mine'))
    expect(puts('/landed')).toHaveLength(2)
    expect(await store.get('landed')).toEqual(text('mine'))
    // The same bytes by another create are still refused: the token tells writes apart, not bytes.
    const again = await store.create('landed', text('mine')).catch((e: unknown) => e)
    expect(VarveError.is(again, 'AlreadyExists')).toBe(true)
  })

  it('a put whose response is lost, and a request cut before it lands, are retried', async () => {
    const store = storeThroughProxy()
    const seen = new Set<string>()
    proxy.rule = ({ method, url }) => {
      if (method !== 'PUT' || seen.has(url)) return 'forward'
      seen.add(url)
      return url.includes('/lost') ? 'lose-response' : 'reset'
    }
    await store.put('lost', text('one'))
    await store.put('cut', text('two'))
    expect(puts('/lost')).toHaveLength(2)
    expect(puts('/cut')).toHaveLength(2)
    expect(await store.get('lost')).toEqual(text('one'))
    expect(await store.get('cut')).toEqual(text('two'))
  })

  it('throttling (503 ServerBusy) is retried; when it persists the error is Transient after the tries', async () => {
    const store = storeThroughProxy()
    await store.put('busy', text('value'))
    let refusals = 2
    proxy.rule = ({ method }) =>
      method === 'GET' && refusals-- > 0 ? { status: 503, code: 'ServerBusy' } : 'forward'
    expect(await store.get('busy')).toEqual(text('value'))
    expect(proxy.seen.filter((r) => r.method === 'GET')).toHaveLength(3)

    proxy.seen.length = 0
    proxy.rule = () => ({ status: 503, code: 'ServerBusy' })
    const error = await store.get('busy').catch((e: unknown) => e)
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as Error).message).toMatch(/\(503 ServerBusy\).*\(gave up after 3 tries\)/)
    expect(proxy.seen).toHaveLength(3)
  })

  it('PermissionDenied is never retried', async () => {
    const store = storeThroughProxy()
    proxy.rule = () => ({ status: 403, code: 'AuthorizationPermissionMismatch' })
    const error = await store.put('k', text('x')).catch((e: unknown) => e)
    expect(VarveError.is(error, 'PermissionDenied')).toBe(true)
    expect(proxy.seen).toHaveLength(1)
  })

  it('a request that never answers is aborted after requestTimeoutMs and counts as Transient', async () => {
    const store = storeThroughProxy({
      requestTimeoutMs: 150,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    })
    proxy.rule = () => 'hang'
    const started = Date.now()
    const error = await store.get('k').catch((e: unknown) => e)
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as Error).message).toMatch(/timed out \(requestTimeoutMs\)/)
    expect(proxy.seen).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('a listing page cut mid-way is fetched again; the listing is whole and in order', async () => {
    const store = storeThroughProxy({ listPageSize: 7 })
    const keys = Array.from({ length: 30 }, (_, i) => `k/${String(i).padStart(2, '0')}`)
    await Promise.all(keys.map((key) => store.put(key, text(key))))
    let lists = 0
    proxy.rule = ({ url }) => (url.includes('comp=list') && ++lists === 3 ? 'reset' : 'forward')
    expect(await collect(store.list('k/'))).toEqual(keys)
    expect(proxy.seen.filter((r) => r.url.includes('comp=list'))).toHaveLength(6)
  })

  it('a commit that finds its blocks dropped by another writer stages again and lands', async () => {
    const store = storeThroughProxy({ singleUploadBytes: 1024, blockBytes: 1024 })
    const bytes = randomBytes(3000)
    let interfered = false
    proxy.rule = ({ method, url }) => {
      if (method !== 'PUT' || !url.includes('comp=blocklist') || interfered) return 'forward'
      interfered = true
      const name = decodeURIComponent(new URL(url, 'http://x').pathname).split('/').slice(3).join('/')
      // Another writer commits its own blocks first, which discards the blocks staged for ours.
      const other = raw.getBlockBlobClient(name)
      return {
        before: async () => void (await other.uploadData(Buffer.from('other'), { maxSingleShotSize: 0 })),
      }
    }
    await store.put('contested', bytes)
    expect(proxy.seen.filter((r) => r.url.includes('comp=blocklist'))).toHaveLength(2)
    expect(proxy.seen.filter((r) => r.url.includes('comp=block&'))).toHaveLength(6)
    expect(Buffer.from((await store.get('contested'))!)).toEqual(bytes)
  })
})
