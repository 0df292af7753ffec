import { mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { BlobServiceClient } from '@azure/storage-blob'
import { Storage } from '@google-cloud/storage'
import {
  createInstrumentedStore,
  createMemoryStore,
  type InstrumentedStore,
  Repo,
  Schema,
  type Store,
  type StoreStats,
} from '@varve/core'
import { type Cloud, type Clouds, randomPrefix, startClouds } from '../replication/clouds.ts'
import { durableWrite, time } from './w1.ts'
import { median, randomWalk, timestamps } from './workloads.ts'

export interface CloudBenchOptions {
  readonly root: string
  readonly series: number
  readonly rows: number
  readonly runs: number
}

/**
 * Medians over the runs, and the ratio: the median of each run's raw ÷ Varve
 * time (Varve's throughput over raw's), both measured one right after the other.
 */
export interface Measured {
  readonly varveMs: number
  readonly rawMs: number
  readonly ratio: number
}

export interface CloudResult {
  readonly cloud: Cloud
  /** Bytes of every object a push of the repository writes: what a push sends and a pull receives. */
  readonly bytes: number
  readonly objects: number
  readonly push: Measured
  /** A pull into an empty folder, against raw gets into memory (the folder's durable writes are Varve's alone). */
  readonly pull: Measured
  /** The same pull against raw gets each written to a file and fsynced with its folder, as the fs store writes. */
  readonly pullIntoFolder: Measured
  /** A pull into a memory store against raw gets held in memory: the same work on both sides. */
  readonly pullIntoMemory: Measured
  /** Store requests of each case, counted on the cloud store. */
  readonly requests: Readonly<Record<RequestCase, StoreStats>>
}

export type RequestCase =
  | 'latest of one series, fresh Repo'
  | 'up-to-date pull'
  | 'one-series 10-row write'
  | 'the next one-series 10-row write'

/** Raw SDK puts and gets of whole objects, the reference a push and a pull are measured against. */
interface RawClient {
  put(key: string, bytes: Uint8Array): Promise<void>
  get(key: string): Promise<Uint8Array>
  delete(key: string): Promise<void>
  close(): void
}

const CONCURRENCY = 8
const clouds: readonly Cloud[] = ['S3', 'GCS', 'Azure']
const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })

/**
 * W1-shaped push and pull on each local cloud server against raw SDK puts and
 * gets of the same object bytes at the same concurrency, and the store
 * requests of a fresh read, an up-to-date pull and a small write. Every server
 * is stopped before it returns or throws.
 */
export async function benchClouds(
  options: CloudBenchOptions,
): Promise<{ s3Server: string; results: CloudResult[] }> {
  const source = join(options.root, 'cloud-source')
  await writeSource(source, options.series, options.rows)
  const files = await pushedObjects(source)
  const servers = await startClouds()
  try {
    const results: CloudResult[] = []
    for (const cloud of clouds) results.push(await benchCloud(servers, cloud, source, files, options))
    return { s3Server: servers.s3Server, results }
  } finally {
    await servers.stop()
  }
}

async function benchCloud(
  servers: Clouds,
  cloud: Cloud,
  source: string,
  files: ReadonlyMap<string, Uint8Array>,
  options: CloudBenchOptions,
): Promise<CloudResult> {
  const raw = rawClient(servers, cloud)
  const repo = await Repo.open(source)
  const samples = {
    varvePush: [] as number[],
    rawPush: [] as number[],
    varvePull: [] as number[],
    rawPull: [] as number[],
    rawPullToFolder: [] as number[],
    memoryPull: [] as number[],
  }
  let prefix = ''
  let pulled = ''
  try {
    // Run -1 warms up both sides (the JIT, the clients' sockets, the servers) and is not counted.
    for (let run = -1; run < options.runs; run++) {
      // Each Varve measurement sits beside its raw reference, Varve second on even runs and first on
      // odd ones, so load that comes and goes on the shared machine weighs on both sides alike.
      const pair = async (raw: () => Promise<unknown>, varve: () => Promise<unknown>) => {
        if (run % 2 === 0) return { raw: await time(raw), varve: await time(varve) }
        const varveMs = await time(varve)
        return { raw: await time(raw), varve: varveMs }
      }
      const rawPrefix = randomPrefix()
      prefix = randomPrefix()
      const store = servers.store(cloud, prefix)
      const push = await pair(
        () => pool([...files], CONCURRENCY, ([key, bytes]) => raw.put(`${rawPrefix}/${key}`, bytes)),
        () => repo.push(store, { concurrency: CONCURRENCY }),
      )
      record(run, samples.rawPush, push.raw)
      record(run, samples.varvePush, push.varve)

      // The raw gets hold what they read until all are in, as the memory store holds what a pull puts.
      const memory = await pair(
        async () => {
          const held = new Map<string, Uint8Array>()
          await pool([...files], CONCURRENCY, async ([key, bytes]) => {
            const got = await raw.get(`${rawPrefix}/${key}`)
            if (got.byteLength !== bytes.byteLength) throw new Error(`raw get of ${key} returned other bytes`)
            held.set(key, got)
          })
        },
        async () => (await Repo.open(createMemoryStore())).pull(servers.store(cloud, prefix)),
      )
      record(run, samples.rawPull, memory.raw)
      record(run, samples.memoryPull, memory.varve)

      const rawFolder = join(options.root, `cloud-raw-pull-${cloud}-${run}`)
      if (pulled !== '') await rm(pulled, { recursive: true, force: true })
      pulled = join(options.root, `cloud-pull-${cloud}-${run}`)
      const target = pulled
      const folder = await pair(
        () =>
          pool([...files], CONCURRENCY, async ([key]) => {
            const path = join(rawFolder, key)
            const got = await raw.get(`${rawPrefix}/${key}`)
            await mkdir(dirname(path), { recursive: true })
            await durableWrite(path, got, true)
          }),
        async () => (await Repo.open(target)).pull(servers.store(cloud, prefix)),
      )
      record(run, samples.rawPullToFolder, folder.raw)
      record(run, samples.varvePull, folder.varve)
      await rm(rawFolder, { recursive: true, force: true })
      // The servers hold everything in memory: only the last repository stays, for the request counts.
      await pool([...files.keys()], CONCURRENCY, (key) => raw.delete(`${rawPrefix}/${key}`))
      if (run < options.runs - 1) await clear(store)
    }
    const requests = await countRequests(servers, cloud, prefix, pulled, options.rows)
    let bytes = 0
    for (const b of files.values()) bytes += b.byteLength
    return {
      cloud,
      bytes,
      objects: files.size,
      push: measured(samples.varvePush, samples.rawPush),
      pull: measured(samples.varvePull, samples.rawPull),
      pullIntoFolder: measured(samples.varvePull, samples.rawPullToFolder),
      pullIntoMemory: measured(samples.memoryPull, samples.rawPull),
      requests,
    }
  } finally {
    raw.close()
    if (pulled !== '') await rm(pulled, { recursive: true, force: true })
  }
}

function record(run: number, samples: number[], ms: number): void {
  if (run >= 0) samples.push(ms)
}

function measured(varve: readonly number[], raw: readonly number[]): Measured {
  return {
    varveMs: median(varve),
    rawMs: median(raw),
    ratio: median(varve.map((ms, run) => raw[run]! / ms)),
  }
}

async function countRequests(
  servers: Clouds,
  cloud: Cloud,
  prefix: string,
  pulled: string,
  rows: number,
): Promise<Record<RequestCase, StoreStats>> {
  const counted = () => createInstrumentedStore(servers.store(cloud, prefix))

  // A fresh process's read: opening the repository and the collection are counted too.
  const reading = counted()
  const series = (await (await Repo.open(reading)).collection('w1'))!.series(label(0))
  if ((await series.read()).length !== rows) throw new Error(`the read from ${cloud} missed rows`)
  const latest = reading.stats()

  const origin = counted()
  const local = await Repo.open(pulled)
  origin.resetStats()
  const result = await local.pull(origin)
  if (result.collections.some((c) => !c.upToDate))
    throw new Error(`the pull from ${cloud} was not up to date`)
  const upToDate = origin.stats()

  const writing: InstrumentedStore = counted()
  const collection = (await (await Repo.open(writing)).collection('w1'))!
  writing.resetStats()
  await collection.series(label(0)).write({ timestamp: timestamps(10, rows), value: randomWalk(10, 0) })
  const write = writing.stats()
  // The first write after W1's one-write-per-series history may squash its loose revisions; the next shows a write alone.
  writing.resetStats()
  await collection.series(label(0)).write({ timestamp: timestamps(10, rows + 10), value: randomWalk(10, 1) })
  const next = writing.stats()

  return {
    'latest of one series, fresh Repo': latest,
    'up-to-date pull': upToDate,
    'one-series 10-row write': write,
    'the next one-series 10-row write': next,
  }
}

/** The W1 generators' data in a folder repository, one write per series. */
async function writeSource(folder: string, seriesCount: number, rows: number): Promise<void> {
  await rm(folder, { recursive: true, force: true })
  const c = await (await Repo.open(folder)).createCollection('w1', schema)
  for (let s = 0; s < seriesCount; s++)
    await c.series(label(s)).write({ timestamp: timestamps(rows), value: randomWalk(rows, s + 1) })
}

/**
 * Every object a push of the repository writes, by key: what the raw reference
 * puts and gets. Taken from a push into a memory store rather than from the
 * folder, whose revisions may be packed otherwise than a push sends them.
 */
async function pushedObjects(folder: string): Promise<Map<string, Uint8Array>> {
  const pushed = createMemoryStore()
  await (await Repo.open(folder)).push(pushed)
  const files = new Map<string, Uint8Array>()
  for await (const key of pushed.list('')) files.set(key, (await pushed.get(key))!)
  if (files.size === 0) throw new Error(`a push of ${folder} wrote nothing`)
  return files
}

async function clear(store: Store): Promise<void> {
  const keys: string[] = []
  for await (const key of store.list('')) keys.push(key)
  await store.delete(keys)
}

const label = (s: number) => `series-${String(s).padStart(4, '0')}`

/** The SDK clients configured as the store packages' test harnesses and READMEs show. */
function rawClient(servers: Clouds, cloud: Cloud): RawClient {
  if (cloud === 'S3') {
    const { bucket, endpoint, region, credentials, forcePathStyle } = servers.s3Options('')
    const client = new S3Client({
      endpoint,
      region,
      credentials,
      forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
    return {
      async put(key, bytes) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }))
      },
      async get(key) {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        return out.Body!.transformToByteArray()
      },
      async delete(key) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
      },
      close: () => client.destroy(),
    }
  }
  if (cloud === 'GCS') {
    const { endpoint, projectId, bucket } = servers.gcs
    const b = new Storage({ apiEndpoint: endpoint, projectId }).bucket(bucket)
    return {
      // One request per object, as the store sends objects below its resumable threshold.
      put: (key, bytes) =>
        b.file(key).save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { resumable: false }),
      async get(key) {
        const [bytes] = await b.file(key).download()
        return bytes
      },
      async delete(key) {
        await b.file(key).delete()
      },
      close: () => {},
    }
  }
  const { connectionString, container } = servers.azure
  const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container)
  return {
    async put(key, bytes) {
      await client.getBlockBlobClient(key).uploadData(bytes)
    },
    // One GET, as the store reads a blob (downloadToBuffer asks for the blob's properties first).
    async get(key) {
      const body = (await client.getBlockBlobClient(key).download()).readableStreamBody!
      const chunks: Buffer[] = []
      for await (const chunk of body) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks)
    },
    async delete(key) {
      await client.getBlockBlobClient(key).delete()
    },
    close: () => {},
  }
}

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]!)
    }),
  )
}

const operations = ['get', 'getRange', 'put', 'create', 'list', 'delete'] as const

/** Prints the cloud section: throughput ratios, then request counts. */
export function printClouds(
  results: readonly CloudResult[],
  options: CloudBenchOptions,
  s3Server: string,
): void {
  const mb = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000)
  console.log(
    `\nClouds (local emulators: ${s3Server} for S3, Firebase Storage emulator for GCS, Azurite for Azure), ` +
      `${options.series} series × ${options.rows.toLocaleString('en')} rows of W1's data, concurrency ${CONCURRENCY}, ` +
      `medians of ${options.runs} runs after one untimed; ratio = Varve MB/s ÷ raw SDK MB/s of the same object bytes, ` +
      'each run measuring both one after the other (Varve second, then first, in turn), the median of the runs’ ratios:',
  )
  console.log('| cloud | operation | bytes (objects) | Varve MB/s | raw MB/s | ratio | goal |')
  console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |')
  for (const r of results) {
    for (const [name, m, goal] of [
      ['push (raw: SDK puts)', r.push, '≥ 0.8'],
      ['pull into an empty memory store (raw: SDK gets, held in memory)', r.pullIntoMemory, '≥ 0.8'],
      [
        'pull into an empty folder (raw: SDK gets, each written to a file, fsynced with its folder)',
        r.pullIntoFolder,
        '≥ 0.8',
      ],
      [
        'pull into an empty folder (raw: SDK gets held in memory; the folder writes are Varve’s alone)',
        r.pull,
        '',
      ],
    ] as const) {
      const varve = mb(r.bytes, m.varveMs)
      const raw = mb(r.bytes, m.rawMs)
      console.log(
        `| ${r.cloud} | ${name} | ${r.bytes.toLocaleString('en')} (${r.objects}) | ${varve.toFixed(1)} | ${raw.toFixed(1)} | ${m.ratio.toFixed(2)} | ${goal} |`,
      )
    }
  }
  console.log('\nCloud store requests (the read counts opening the repository and the collection):')
  console.log(`| cloud | case | requests | ${operations.join(' | ')} |`)
  console.log(`| --- | --- | ---: | ${operations.map(() => '---:').join(' | ')} |`)
  for (const r of results) {
    for (const [name, stats] of Object.entries(r.requests)) {
      console.log(
        `| ${r.cloud} | ${name} | ${stats.total.requests} | ${operations.map((op) => stats[op].requests).join(' | ')} |`,
      )
    }
  }
}
