import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Repo } from '@varve/core'

/** A secret beside the repository folder: no response may ever hold it. */
export const SECRET = 'varve-secret-5f1d0c3a9e'

export interface RepoFolder {
  /** The temporary folder holding `repo/` and `secret.txt`. */
  readonly root: string
  readonly repoDir: string
  readonly repo: Repo
  cleanup(): Promise<void>
}

/**
 * A repository in a temporary folder, with a secret file beside it, holding collection
 * `temperature` (series Brussels: `rows` rows at 1-minute steps, Paris: 10 rows) written in three
 * commits, and `prices` (an integer index) in one.
 */
export async function makeRepoFolder(rows = 1000): Promise<RepoFolder> {
  const root = await mkdtemp(join(tmpdir(), 'varve-server-'))
  const repoDir = join(root, 'repo')
  await writeFile(join(root, 'secret.txt'), SECRET)
  const repo = await Repo.open(repoDir)
  const temps = await repo.createCollection('temperature', { timestamp: 'timestamp*', value: 'float64' })
  const start = Date.UTC(2024, 0, 1)
  const half = Math.floor(rows / 2)
  const part = (from: number, to: number) => ({
    timestamp: Array.from({ length: to - from }, (_, i) => new Date(start + (from + i) * 60_000)),
    value: Array.from({ length: to - from }, (_, i) => Math.sin((from + i) / 50) * 10 + 20),
  })
  await temps.series('Brussels').write(part(0, half))
  await temps.series('Brussels').write(part(half, rows))
  await temps.series('Paris').write(part(0, 10))
  const prices = await repo.createCollection('prices', { id: 'int64*', price: 'float64', note: 'str' })
  await prices.series('ACME').write({ id: [1, 2, 3], price: [1.5, 2.5, 3.5], note: ['a', 'b,c', 'd"e'] })
  return { root, repoDir, repo, cleanup: () => rm(root, { recursive: true, force: true }) }
}
