import { join } from 'node:path'
import { type Collection, Repo } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { expectedOwn, expectedShared, type MadeWrite, SHARED } from '../concurrency/write-plan.ts'
import { copyProblems } from '../sync/repo-contents.ts'
import { type Cloud, randomPrefix } from './clouds.ts'
import { writeConcurrently } from './concurrent-s3-writers.ts'
import { contentsOf } from './contents-of.ts'
import { writeModelledHistory } from './modelled-history.ts'
import { useCloudsAndFolder } from './use-clouds.ts'

const { servers, folder } = useCloudsAndFolder('varve-replication-')

/** The repository under `prefix` on `cloud`, through a new client and an empty cache, as another machine sees it. */
function reopen(cloud: Cloud, prefix: string): Promise<Repo> {
  return Repo.open(servers().store(cloud, prefix), { create: false })
}

/** The series as timestamp (ms) → value. */
async function rowsOf(collection: Collection, label: string): Promise<Map<number, number>> {
  const frame = await collection.series(label).read()
  const times = frame.column('timestamp') as BigInt64Array
  const values = frame.column('value') as Float64Array
  return new Map(Array.from(times, (t, i) => [Number(t), values[i]!]))
}

/** Each writer's own series complete; the shared one as the writes replayed in revision id order leave it. */
async function expectMerged(collection: Collection, writes: readonly MadeWrite[], writers: number) {
  const owns = Array.from({ length: writers }, (_, p) => `own-${p}`)
  expect(await collection.labels()).toEqual([...owns, SHARED].sort())
  for (let p = 0; p < writers; p++) {
    expect(await rowsOf(collection, `own-${p}`), `own-${p}`).toEqual(expectedOwn(p, writes.length / writers))
  }
  expect(await rowsOf(collection, SHARED)).toEqual(expectedShared(writes))
}

describe('replication across S3, GCS and Azure (local servers)', () => {
  it('folder → S3 → GCS → Azure → folder: every copy has the same log, heads and rows at every revision', async () => {
    const source = await Repo.open(join(folder(), 'source'), {
      layout: { pageRows: 64, maxSegmentRows: 256 },
    })
    const models = await writeModelledHistory(source)
    for (const model of models) {
      expect(await model.problems(model.collection)).toEqual([])
      expect(await model.collection.heads()).toHaveLength(1)
    }
    const [s3, gcs, azure] = [randomPrefix(), randomPrefix(), randomPrefix()]

    const pushed = await source.push(servers().store('S3', s3))
    expect(Object.fromEntries(pushed.collections.map((c) => [c.collection, c.revisions]))).toEqual(
      Object.fromEntries(models.map((m) => [m.collection.name, m.revisions.length])),
    )
    const onGcs = await Repo.open(servers().store('GCS', gcs))
    await onGcs.pull(servers().store('S3', s3))
    await onGcs.push(servers().store('Azure', azure))
    await Repo.clone(servers().store('Azure', azure), join(folder(), 'clone'))

    const expected = await contentsOf(source)
    const copies: [string, Repo][] = [
      ['S3', await reopen('S3', s3)],
      ['GCS', await reopen('GCS', gcs)],
      ['Azure', await reopen('Azure', azure)],
      ['the clone', await Repo.open(join(folder(), 'clone'), { create: false })],
    ]
    for (const [where, copy] of copies) {
      expect(copyProblems(expected, await contentsOf(copy), true), where).toEqual([])
    }
    const clone = copies[3]![1]
    for (const model of models) {
      expect(await model.problems((await clone.collection(model.collection.name))!)).toEqual([])
    }

    // Every hop again: nothing left to copy.
    const again = [
      await source.push(servers().store('S3', s3)),
      await onGcs.pull(servers().store('S3', s3)),
      await onGcs.push(servers().store('Azure', azure)),
      await clone.pull(servers().store('Azure', azure)),
    ]
    expect(again.flatMap((r) => r.collections).filter((c) => !c.upToDate)).toEqual([])
  }, 60_000)

  it('writers in 2 processes and 2 Repo instances at once on one S3 repository: several heads, one merge, last writer by revision id; the same on GCS and Azure', async () => {
    const writers = { processes: 2, instances: 2, writes: 15 }
    const total = (writers.processes + writers.instances) * writers.writes
    const prefix = randomPrefix()
    const setup = await Repo.open(servers().store('S3', prefix))
    await setup.createCollection('readings', { timestamp: 'timestamp*', value: 'float64' })

    const writes = await writeConcurrently(servers(), prefix, folder(), writers)
    expect(writes).toHaveLength(total)

    const merger = await reopen('S3', prefix)
    const readings = (await merger.collection('readings'))!
    const log = await readings.log()
    expect(new Set(log.map((r) => r.id))).toEqual(new Set(writes.map((w) => w.revision)))
    const heads = (await readings.heads()).map((h) => h.id)
    expect(heads.length).toBeGreaterThan(1)

    const merge = await readings.merge()
    expect([...merge.merged].sort()).toEqual([...heads].sort())
    expect(await readings.heads()).toHaveLength(1)
    const writerCount = writers.processes + writers.instances
    await expectMerged(readings, writes, writerCount)
    // Another machine sees the merge on S3 the same way.
    await expectMerged((await (await reopen('S3', prefix)).collection('readings'))!, writes, writerCount)

    const [gcs, azure] = [randomPrefix(), randomPrefix()]
    await merger.push(servers().store('GCS', gcs))
    await Repo.clone(servers().store('GCS', gcs), servers().store('Azure', azure))

    const expected = await contentsOf(await reopen('S3', prefix))
    expect(expected.get('readings')!.log).toEqual((await readings.log()).map((r) => r.id))
    for (const cloud of ['GCS', 'Azure'] as const) {
      const copy = await reopen(cloud, cloud === 'GCS' ? gcs : azure)
      expect(copyProblems(expected, await contentsOf(copy), true), cloud).toEqual([])
      await expectMerged((await copy.collection('readings'))!, writes, writerCount)
    }
  }, 60_000)
})
