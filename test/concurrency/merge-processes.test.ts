import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Collection, Repo } from '@varve/core'
import { afterAll, describe, expect, it } from 'vitest'
import { runTsChild } from '../support/child-process.ts'
import { expectedOwn, expectedShared, type MadeWrite, SHARED } from './write-plan.ts'

const writer = fileURLToPath(new URL('./merge-writer.ts', import.meta.url))
const WRITES = 50
// Half as many on two clones: two repositories each merge the same history, twice.
const WRITES_ON_CLONES = 25
const SCHEMA = { timestamp: 'timestamp*', value: 'float64' }

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

async function tempFolder(): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'varve-merge-procs-'))
  dirs.push(base)
  return base
}

/**
 * Runs one writer process per entry of `folders` (process p writes into
 * `folders[p]`), all released together by a start file once each is ready.
 * Returns every write made, with the revision id it returned.
 */
async function runWriters(base: string, folders: readonly string[], writes: number): Promise<MadeWrite[]> {
  const startFile = join(base, 'start')
  let ready = 0
  let release: () => void
  const allReady = new Promise<void>((resolve) => {
    release = resolve
  })
  const runs = folders.map((folder, p) =>
    runTsChild(writer, [folder, String(p), String(writes), startFile], {
      timeoutMs: 90_000,
      onLine: (line) => {
        if (line === 'ready' && ++ready === folders.length) release()
      },
    }),
  )
  await Promise.race([allReady, ...runs.map((r) => r.exit)])
  await writeFile(startFile, '')
  const exits = await Promise.all(runs.map((r) => r.exit))
  return exits.flatMap((exit, p) => {
    expect(exit.code, `writer ${p}: ${exit.stderr}`).toBe(0)
    const { process, revisions } = JSON.parse(exit.lines.at(-1)!) as { process: number; revisions: string[] }
    expect(revisions).toHaveLength(writes)
    return revisions.map((revision, write) => ({ process, write, revision }))
  })
}

/** The series as timestamp (ms) → value. */
async function rowsOf(collection: Collection, label: string): Promise<Map<number, number>> {
  const frame = await collection.series(label).read()
  const times = frame.column('timestamp') as BigInt64Array
  const values = frame.column('value') as Float64Array
  return new Map(Array.from(times, (t, i) => [Number(t), values[i]!]))
}

/** Checks that `collection` holds exactly what the writes must leave after a last-writer-wins merge. */
async function expectMergedData(collection: Collection, writes: readonly MadeWrite[], processes: number) {
  const perProcess = writes.length / processes
  const owns = Array.from({ length: processes }, (_, p) => `own-${p}`)
  expect(await collection.labels()).toEqual([...owns, SHARED].sort())
  for (let p = 0; p < processes; p++) {
    expect(await rowsOf(collection, `own-${p}`), `own-${p}`).toEqual(expectedOwn(p, perProcess))
  }
  expect(await rowsOf(collection, SHARED)).toEqual(expectedShared(writes))
}

async function collectionAt(folder: string): Promise<Collection> {
  return (await (await Repo.open(folder, { create: false })).collection('readings'))!
}

describe('writer processes, then one merge (last writer wins, in clock order)', () => {
  it('8 processes × 50 writes into one fs repository: one head, nothing lost, overlaps by clock', async () => {
    const base = await tempFolder()
    const folder = join(base, 'repo')
    await (await Repo.open(folder)).createCollection('readings', SCHEMA)

    const started = performance.now()
    const writes = await runWriters(base, Array(8).fill(folder), WRITES)
    const wrote = performance.now()

    const collection = await collectionAt(folder)
    const log = await collection.log()
    expect(log).toHaveLength(8 * WRITES)
    const ids = new Set(log.map((r) => r.id))
    expect(writes.filter((w) => !ids.has(w.revision))).toEqual([])
    // Eight writers at once diverge: the merge has real work to do.
    const headsBefore = (await collection.heads()).map((h) => h.id)
    expect(headsBefore.length).toBeGreaterThan(1)

    const merge = await collection.merge()
    const merged = performance.now()
    expect(headsBefore.filter((id) => !merge.merged.includes(id))).toEqual([])
    expect(await collection.heads()).toHaveLength(1)
    await expectMergedData(collection, writes, 8)
    console.info(
      `8 × ${WRITES} writes: ${Math.round(wrote - started)} ms; ${headsBefore.length} heads merged in ${Math.round(merged - wrote)} ms`,
    )
  }, 120_000)

  it('4 + 4 processes on two clones, then pull both ways and merge on each: the same data on both', async () => {
    const base = await tempFolder()
    const origin = join(base, 'origin')
    await (await Repo.open(origin)).createCollection('readings', SCHEMA)
    const [a, b] = [join(base, 'a'), join(base, 'b')]
    await Repo.clone(origin, a)
    await Repo.clone(origin, b)

    const started = performance.now()
    const writes = await runWriters(base, [a, a, a, a, b, b, b, b], WRITES_ON_CLONES)
    const wrote = performance.now()

    const [repoA, repoB] = [await Repo.open(a), await Repo.open(b)]
    await repoA.pull(b)
    await repoB.pull(a)
    const [onA, onB] = [await collectionAt(a), await collectionAt(b)]
    expect((await onA.log()).map((r) => r.id)).toEqual((await onB.log()).map((r) => r.id))
    expect(await onA.log()).toHaveLength(8 * WRITES_ON_CLONES)
    await onA.merge()
    await onB.merge()
    await expectMergedData(onA, writes, 8)
    await expectMergedData(onB, writes, 8)

    // Each side's merge arrives on the other as a second head with the same data: merging links them.
    await repoA.pull(b)
    await repoB.pull(a)
    for (const side of [onA, onB]) {
      expect(await side.heads()).toHaveLength(2)
      const link = await side.merge()
      expect(link.merged).toHaveLength(2)
      expect(link.series).toEqual([])
      expect(await side.heads()).toHaveLength(1)
      await expectMergedData(side, writes, 8)
    }
    console.info(
      `4 + 4 × ${WRITES_ON_CLONES} writes on two clones: ${Math.round(wrote - started)} ms; exchange and merges ${Math.round(performance.now() - wrote)} ms`,
    )
  }, 120_000)
})
