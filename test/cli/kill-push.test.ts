import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runVarve } from '../../apps/cli/test/run-varve.ts'
import { type CollectionContents, copyProblems, readRepoContents } from '../sync/repo-contents.ts'
import { buildSourceRepo } from '../sync/source-repo.ts'

let base: string
let source: string
let sourceContents: Map<string, CollectionContents>
let env: Record<string, string>

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'varve-cli-kill-'))
  source = join(base, 'source')
  env = { VARVE_STATE_DIR: join(base, 'state') }
  await buildSourceRepo(source, join(base, 'side'))
  sourceContents = await readRepoContents(source)
}, 60_000)
afterAll(() => rm(base, { recursive: true, force: true }))

const PROGRESS_LINE = /^push (events|meters|weather): \d+\/\d+ objects, .* \(\d+%\)$/

/** `varve push` with progress as lines, SIGKILLed by the test once it has printed `killAt` of them. */
function push(destination: string, killAt?: number) {
  let seen = 0
  return runVarve(['--repo', source, '--progress', 'lines', 'push', destination, '--concurrency', '1'], {
    env,
    onStderrLine: (line, kill) => {
      expect(line).toMatch(PROGRESS_LINE)
      if (++seen === killAt) kill()
    },
  })
}

describe('varve push killed midway (folder → folder)', () => {
  it('leaves a readable destination after every kill, and a re-run completes the copy', async () => {
    const destination = join(base, 'destination')
    const revisions: number[] = []
    // The copy takes the collections in name order, about 20 lines each (a re-run prints only
    // what is left): the kills walk through all three.
    for (const killAt of [4, 15, 10, 10, 6]) {
      const run = await push(destination, killAt)
      expect(run.signal, run.stderr).toBe('SIGKILL')
      const copy = await readRepoContents(destination)
      expect(copyProblems(sourceContents, copy, false), `after ${killAt} lines`).toEqual([])
      revisions.push([...copy.values()].reduce((n, c) => n + c.log.length, 0))
    }
    const total = [...sourceContents.values()].reduce((n, c) => n + c.log.length, 0)
    // The kills landed inside the copy: history arrived a part at a time.
    expect(revisions.at(-1)).toBeLessThan(total)
    expect(new Set(revisions).size).toBeGreaterThan(1)

    const finish = await push(destination)
    expect(finish.code, finish.stderr).toBe(0)
    expect(finish.stdout).toMatch(/^collection\s+revisions\s+objects\s+bytes\s+heads\n/)
    expect(copyProblems(sourceContents, await readRepoContents(destination), true)).toEqual([])

    const again = await runVarve(['--repo', source, '--json', 'push', destination], { env })
    expect(JSON.parse(again.stdout).collections.map((c: { upToDate: boolean }) => c.upToDate)).toEqual([
      true,
      true,
      true,
    ])
  }, 120_000)
})
