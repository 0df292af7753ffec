import { join } from 'node:path'
import { type Collection, publish, Repo, replicate, Schema } from '@varve/core'
import { describe, expect, it } from 'vitest'
import type { Cloud } from '../replication/clouds.ts'
import { useCloudsAndFolder } from '../replication/use-clouds.ts'
import { registerLocalClouds } from './link-schemes.ts'
import { chunksOf, objectsOf } from './objects-of.ts'

const { servers, folder } = useCloudsAndFolder('varve-sharing-clouds-', registerLocalClouds)

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const labels = ['p0', 'p1', 'p2', 'p3']
const HOUR = 3_600_000
const start = Date.parse('2026-01-01T00:00:00Z')

/** `rows` hourly rows of every label from hour `from`: value = label number × 1000 + hour + a fraction. */
function batch(from: number, rows: number, only = labels) {
  return Object.fromEntries(
    only.map((label, l) => [
      label,
      {
        timestamp: Array.from({ length: rows }, (_, i) => new Date(start + (from + i) * HOUR)),
        value: Array.from({ length: rows }, (_, i) => l * 1000 + from + i + 0.25),
      },
    ]),
  )
}

/** label → [timestamps, values] of every series. */
async function valuesOf(collection: Collection): Promise<Map<string, [bigint[], number[]]>> {
  const out = new Map<string, [bigint[], number[]]>()
  for (const label of await collection.labels()) {
    const frame = await collection.series(label).read()
    out.set(label, [
      [...(frame.column('timestamp') as BigInt64Array)],
      [...(frame.column('value') as Float64Array)],
    ])
  }
  return out
}

describe('sharing across S3, GCS and Azure (local servers)', () => {
  it('publishes a folder to every cloud at once, replicates each into a folder, pushes, pulls: equal everywhere', async () => {
    const source = await Repo.open(join(folder(), 'publisher'), {
      layout: { pageRows: 32, maxSegmentRows: 64 },
    })
    const prices = await source.createCollection('prices', schema)
    await prices.write(batch(0, 200))
    const clouds: Cloud[] = ['S3', 'GCS', 'Azure']
    const hubs = clouds.map((cloud) => servers().store(cloud))
    const uris = await publish(
      prices,
      hubs.map((store) => ({ store, collection: 'prices' })),
    )
    expect(uris.map((uri) => uri.slice(0, 5))).toEqual(['s3://', 'gs://', 'az://'])
    expect(prices.upstream).toEqual(uris)

    // The consumer opens each link by its URI, as another machine would.
    const consumer = await Repo.open(join(folder(), 'consumer'))
    const replicas = await Promise.all(
      uris.map((uri, i) => replicate(uri, consumer, `from-${clouds[i]!.toLowerCase()}`)),
    )
    const expected = await valuesOf(prices)
    for (const replica of replicas) expect(await valuesOf(replica)).toEqual(expected)

    await prices.write(batch(200, 48))
    await prices.write({ p4: batch(0, 10, ['p4']).p4! })
    const pushed = await prices.push()
    expect(pushed.map((r) => [r.upstream, r.revisions])).toEqual(uris.map((uri) => [uri, 2]))
    for (const replica of replicas) {
      expect(await replica.pull()).toMatchObject({ revisions: 2, upToDate: false })
      expect(await replica.pull()).toMatchObject({ revisions: 0, upToDate: true })
    }
    const after = await valuesOf(prices)
    expect(after.get('p0')![0]).toHaveLength(248)
    for (const replica of replicas) {
      expect(await valuesOf(replica)).toEqual(after)
      expect((await replica.log()).map((r) => r.id)).toEqual((await prices.log()).map((r) => r.id))
    }

    // Later processes: the links are recorded in the folders; URIs open the clouds again.
    const publisherAgain = (await (await Repo.open(join(folder(), 'publisher'))).collection('prices'))!
    expect(publisherAgain.upstream).toEqual(uris)
    await publisherAgain.write(batch(248, 2))
    expect((await publisherAgain.push()).every((r) => r.revisions === 1)).toBe(true)
    const consumerAgain = await Repo.open(join(folder(), 'consumer'))
    for (const cloud of clouds) {
      const replica = (await consumerAgain.collection(`from-${cloud.toLowerCase()}`))!
      expect((await replica.pull()).revisions).toBe(1)
      expect(await valuesOf(replica)).toEqual(await valuesOf(publisherAgain))
    }
  })

  it('a partial replica pulls only its series', async () => {
    const source = await Repo.open(join(folder(), 'partial-publisher'), {
      layout: { pageRows: 32, maxSegmentRows: 64 },
    })
    const prices = await source.createCollection('prices', schema)
    await prices.write(batch(0, 200))
    const hub = servers().store('Azure')
    const [uri] = await publish(prices, [{ store: hub, collection: 'prices' }])
    const consumer = await Repo.open(join(folder(), 'partial-consumer'))
    const p1 = await replicate(uri!, consumer, 'p1-only', { series: ['p1'] })
    expect(await p1.labels()).toEqual(['p1'])
    expect((await valuesOf(p1)).get('p1')).toEqual((await valuesOf(prices)).get('p1'))
    const upstreamObjects = await objectsOf(hub)
    expect((await objectsOf(consumer.store)).chunks).toEqual(chunksOf(upstreamObjects, ['p1']))

    await prices.write(batch(200, 100))
    await prices.push()
    const pulled = await p1.pull()
    const copied = await objectsOf(consumer.store)
    const p1Chunks = chunksOf(await objectsOf(hub), ['p1'])
    expect(copied.chunks).toEqual(p1Chunks)
    expect(copied.chunks.size).toBeLessThan((await objectsOf(hub)).chunks.size / 3)
    expect(pulled.revisions).toBe(1)
    expect((await valuesOf(p1)).get('p1')).toEqual((await valuesOf(prices)).get('p1'))
  })
})
