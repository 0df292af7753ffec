import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Repo } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runTsChild } from '../support/child-process.ts'

const child = fileURLToPath(new URL('./killed-writer.ts', import.meta.url))

/**
 * Writers killed mid-commit on the fs store, at chosen points of the commit's
 * ordered create (after some data objects landed, after all of them, after
 * the revision) and at whatever moment a kill from outside lands: afterwards
 * every revision in the log reads whole, every acknowledged write is there,
 * and the write that was cut is there whole or not at all.
 */
describe('a writer killed mid-commit on the fs store', () => {
  let folder: string
  const acknowledged = new Set<number>()
  let next = 0

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'varve-killed-writer-'))
  })
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  /** Runs a writer until it is killed; resolves to the writes it acknowledged. */
  async function run(dieAt: string, killAfterLines?: number): Promise<number> {
    let lines = 0
    const { exit } = runTsChild(child, [join(folder, 'repo'), String(next), dieAt], {
      timeoutMs: 60_000,
      onLine: (line, process) => {
        if (!line.startsWith('committed ')) return
        acknowledged.add(Number(line.slice('committed '.length)))
        // A little later each time, so that the kill lands at other points of a commit.
        if (++lines === killAfterLines) setTimeout(() => process.kill('SIGKILL'), killAfterLines % 4)
      },
    })
    const result = await exit
    expect(result.signal, result.stderr).toBe('SIGKILL')
    await check()
    return lines
  }

  async function check(): Promise<void> {
    const collection = (await (await Repo.open(join(folder, 'repo'))).collection('k'))!
    const log = await collection.log()
    // Every revision reads whole: its tree, its series indexes, its chunks.
    for (const revision of log) {
      const past = await collection.at(revision.id)
      for (const label of await past.labels()) await past.series(label).read()
    }
    const present = new Set<number>()
    for (let s = 0; s < 4; s++) {
      const frame = await collection.series(`s${s}`).read()
      const times = frame.columns.time as BigInt64Array
      const values = frame.columns.value as Float64Array
      for (let r = 0; r < frame.length; r++) {
        const i = Number(times[r]! / 10n)
        expect(values[r]).toBe(i + Number(times[r]! % 10n) / 100)
        present.add(i)
      }
      // A write lands whole or not at all: each write present holds its 10 rows.
      for (const i of present)
        if (i % 4 === s) expect(times.filter((t) => t / 10n === BigInt(i))).toHaveLength(10)
    }
    for (const i of acknowledged) expect(present.has(i), `acknowledged write ${i}`).toBe(true)
    // At most the one write in flight at the kill is there unacknowledged.
    expect([...present].filter((i) => !acknowledged.has(i)).length).toBeLessThanOrEqual(1)
    next = Math.max(next, ...present, ...acknowledged) + 1
  }

  it('killed as the second data object of a commit lands', async () => {
    expect(await run('object:1')).toBe(2)
  }, 60_000)

  it('killed as the last data object of a commit lands, before the revision', async () => {
    expect(await run('object:2')).toBe(2)
  }, 60_000)

  it('killed as the revision lands, before the commit returns', async () => {
    expect(await run('revision')).toBe(2)
  }, 60_000)

  it('killed from outside at moments of its own', async () => {
    for (const lines of [3, 5, 6, 9]) expect(await run('-', lines)).toBeGreaterThanOrEqual(lines)
  }, 120_000)
})
