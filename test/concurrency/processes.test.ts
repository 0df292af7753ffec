import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Repo, Schema } from '@varve/core'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./writer-process.ts', import.meta.url))
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

describe('separate OS processes writing one collection on the fs store', () => {
  it('lose no write and leave every revision readable', async () => {
    const base = await mkdtemp(join(tmpdir(), 'varve-procs-'))
    dirs.push(base)
    const folder = join(base, 'repo')
    await (await Repo.open(folder)).createCollection(
      'shared',
      new Schema({ timestamp: 'timestamp*', value: 'float64' }),
    )
    const writers = 4
    const writes = 8
    const children = Array.from({ length: writers }, (_, w) =>
      run(
        process.execPath,
        ['--conditions=@varve/source', '--import', 'tsx', script, folder, String(w), String(writes)],
        {
          timeout: 60_000,
        },
      ),
    )
    await writeFile(join(base, 'start'), '')
    const reports = (await Promise.all(children)).map(
      (c) => JSON.parse(c.stdout.trim().split('\n').at(-1)!) as { writer: number; revisions: string[] },
    )

    const collection = (await (await Repo.open(folder)).collection('shared'))!
    const log = await collection.log()
    const ids = new Set(log.map((r) => r.id))
    expect(log).toHaveLength(writers * writes * 2)
    for (const report of reports) for (const id of report.revisions) expect(ids.has(id)).toBe(true)

    // Each write is visible in the revision that made it: nothing was overwritten or lost.
    for (const report of reports) {
      for (let i = 0; i < writes; i++) {
        const at = new Date(Date.UTC(2020, 0, 1, 0, 0, i))
        const expected = report.writer * 1000 + i
        for (const [label, id] of [
          [`writer-${report.writer}`, report.revisions[2 * i]!],
          ['common', report.revisions[2 * i + 1]!],
        ] as const) {
          const frame = await collection.at(id).series(label).read({ start: at, stop: at })
          expect([...(frame.column('value') as Float64Array)], `${label} at ${id}`).toEqual([expected])
        }
      }
    }
    // Every head reads whole: no revision references missing or corrupt data.
    for (const head of await collection.heads()) {
      for (const label of await collection.at(head.id).labels())
        await collection.at(head.id).series(label).read()
    }
  }, 120_000)
})
