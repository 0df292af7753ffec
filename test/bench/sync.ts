import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { createInstrumentedStore, createMemoryStore, forEachLimited, Repo, Schema } from '@varve/core'
import { createFsStore } from '@varve/store-fs'
import { durableWrite, settleDisk, time } from './w1.ts'
import { median, randomWalk, timestamps } from './workloads.ts'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })

/**
 * Pull of a whole folder repository into an empty one, against copying its
 * files with a file fsync each, 8 at once. The two take turns going first, and
 * each starts once the disk has written out what came before (`settleDisk`).
 */
export async function benchPull(
  root: string,
  source: string,
  runs: number,
): Promise<{ varveMs: number; rawMs: number }> {
  const varve: number[] = []
  const raw: number[] = []
  for (let run = 0; run < runs; run++) {
    const target = join(root, `pull-${run}`)
    const copy = join(root, `copy-${run}`)
    const copyFiles = async () => {
      const files = (await readdir(source, { recursive: true, withFileTypes: true })).filter((e) =>
        e.isFile(),
      )
      await forEachLimited(files, 8, async (file) => {
        const from = join(file.parentPath, file.name)
        const to = join(copy, relative(source, from))
        await mkdir(dirname(to), { recursive: true })
        await durableWrite(to, await readFile(from))
      })
    }
    const pull = async () => (await Repo.open(target)).pull(source)
    for (const step of run % 2 === 0 ? ['raw', 'varve'] : ['varve', 'raw']) {
      settleDisk()
      if (step === 'raw') raw.push(await time(copyFiles))
      else varve.push(await time(pull))
    }
    await rm(target, { recursive: true, force: true })
    await rm(copy, { recursive: true, force: true })
  }
  return { varveMs: median(varve), rawMs: median(raw) }
}

/** Requests an up-to-date pull makes, on each side. */
export async function upToDateRequests(
  source: string,
  target: string,
): Promise<{ source: number; target: number }> {
  const from = createInstrumentedStore(createFsStore({ root: source }))
  const to = createInstrumentedStore(createFsStore({ root: target }))
  const repo = await Repo.open(to)
  await repo.pull(from)
  from.resetStats()
  to.resetStats()
  const result = await repo.pull(from)
  if (result.collections.some((c) => !c.upToDate)) throw new Error('the second pull was not up to date')
  return { source: from.stats().total.requests, target: to.stats().total.requests }
}

/** Merge of two branches that each appended overlapping rows to 100 series. */
export async function benchMerge(runs: number, seriesCount = 100): Promise<number> {
  const samples: number[] = []
  for (let run = 0; run < runs; run++) {
    const store = createMemoryStore()
    const one = await Repo.open(store)
    const c1 = await one.createCollection('m', schema)
    const base = new Map<string, { timestamp: BigInt64Array; value: Float64Array }>()
    for (let s = 0; s < seriesCount; s++)
      base.set(`s${s}`, { timestamp: timestamps(10_000), value: randomWalk(10_000, s) })
    await c1.write(base)
    const c2 = (await (await Repo.open(store)).collection('m'))!
    const append = (offset: number, seed: number) => {
      const batch = new Map<string, { timestamp: BigInt64Array; value: Float64Array }>()
      for (let s = 0; s < seriesCount; s++)
        batch.set(`s${s}`, { timestamp: timestamps(1_000, offset), value: randomWalk(1_000, seed + s) })
      return batch
    }
    await Promise.all([c1.write(append(10_000, 1_000)), c2.write(append(10_500, 2_000))])
    samples.push(await time(() => c1.merge()))
    if ((await c1.heads()).length !== 1) throw new Error('merge left more than one head')
  }
  return median(samples)
}
