import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Repo } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runTsChild } from '../support/child-process.ts'
import { seededRandom } from '../support/seeded-random.ts'
import { type CollectionContents, copyProblems, readRepoContents } from './repo-contents.ts'
import { buildSourceRepo } from './source-repo.ts'

const child = fileURLToPath(new URL('./push-child.ts', import.meta.url))
const CHILD_TIMEOUT_MS = 30_000

/** Where a run is killed: by itself at the n-th event of a phase, or by the test once it has read n lines. */
type Kill =
  | { readonly by: 'self'; readonly phase: 'objects' | 'revisions'; readonly n: number }
  | { readonly by: 'test'; readonly n: number }

/**
 * A seeded schedule of kills. The copy takes the collections in name order
 * (`events`: 40 revisions, 39 of which a copy sends in one pack before the
 * head; `meters`: 8 revisions generation by generation; `weather`: 6 and the
 * most objects); the kills walk through the objects and revisions phases of
 * each, every n small enough that the copy is still running when it comes.
 * The first revisions kill lands right after the pack of `events`: its history
 * is there, its head is not yet.
 */
function killSchedule(seed: number): Kill[] {
  const random = seededRandom(seed)
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1))
  return [
    { by: 'self', phase: 'objects', n: between(2, 40) },
    { by: 'test', n: between(5, 40) },
    { by: 'self', phase: 'revisions', n: 1 },
    { by: 'self', phase: 'revisions', n: between(1, 3) },
    { by: 'self', phase: 'objects', n: between(2, 30) },
    { by: 'self', phase: 'revisions', n: between(1, 2) },
  ]
}

async function runCopy(source: string, destination: string, direction: 'push' | 'pull', kill?: Kill) {
  // More revisions in flight at a kill in the revisions phase: one landing before an older one shows.
  const args = [source, destination, direction, kill?.by === 'self' && kill.phase === 'revisions' ? '6' : '2']
  if (kill?.by === 'self') args.push(`${kill.phase}:${kill.n}`)
  let progressLines = 0
  const { exit } = runTsChild(child, args, {
    timeoutMs: CHILD_TIMEOUT_MS,
    onLine: (line, process) => {
      if (!line.startsWith('done') && ++progressLines === kill?.n && kill.by === 'test')
        process.kill('SIGKILL')
    },
  })
  return exit
}

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

let base: string
let source: string
let sourceContents: Map<string, CollectionContents>
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'varve-kill-'))
  dirs.push(base)
  source = join(base, 'source')
  await buildSourceRepo(source, join(base, 'side'))
  sourceContents = await readRepoContents(source)
  // The copy must carry diverged heads too.
  expect(sourceContents.get('meters')!.heads).toHaveLength(2)
}, 60_000)

describe.each(['push', 'pull'] as const)('a %s killed midway (fs → fs)', (direction) => {
  it('leaves the destination readable after every kill, and a re-run completes the copy', async () => {
    const destination = join(base, `destination-${direction}`)
    const revisionsCopied: number[] = []
    const phasesHit = new Set<string>()
    for (const kill of killSchedule(direction === 'push' ? 11 : 23)) {
      const run = await runCopy(source, destination, direction, kill)
      expect(run.signal, `${JSON.stringify(kill)} ended ${run.code}: ${run.stderr}`).toBe('SIGKILL')
      phasesHit.add(run.lines.at(-1)!.split(' ')[0]!)

      const copy = await readRepoContents(destination)
      expect(copyProblems(sourceContents, copy, false), `after ${JSON.stringify(kill)}`).toEqual([])
      revisionsCopied.push([...copy.values()].reduce((n, c) => n + c.log.length, 0))
    }
    expect(phasesHit).toEqual(new Set(['objects', 'revisions']))
    const sourceRevisions = [...sourceContents.values()].reduce((n, c) => n + c.log.length, 0)
    // The kills landed inside the copy: history arrived a part at a time, never all at once.
    expect(revisionsCopied.at(-1)).toBeLessThan(sourceRevisions)
    expect(revisionsCopied.filter((n, i) => i > 0 && n > revisionsCopied[i - 1]!).length).toBeGreaterThan(2)

    const finish = await runCopy(source, destination, direction)
    expect(finish.code, finish.stderr).toBe(0)
    expect(finish.lines.at(-1)).toMatch(/^done /)
    expect(copyProblems(sourceContents, await readRepoContents(destination), true)).toEqual([])

    const sourceRepo = await Repo.open(source, { create: false })
    const again = await sourceRepo.push(destination)
    expect(again.collections.map((c) => [c.collection, c.upToDate])).toEqual(
      [...sourceContents.keys()].map((name) => [name, true]),
    )
    const back = await (await Repo.open(destination, { create: false })).pull(source)
    expect(back.collections.every((c) => c.upToDate)).toBe(true)
  }, 120_000)
})
