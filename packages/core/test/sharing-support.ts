import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Collection, Repo, Schema } from '@varve/core'
import { afterAll } from 'vitest'

export const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
export const day = (d: number) => `2020-01-${String(d).padStart(2, '0')}T00:00:00Z`

/** Where repositories of one kind live: a named in-process store, or a folder. */
export interface Backend {
  readonly name: 'memory' | 'fs'
  /** A new, empty repository location (a URI or a folder path). */
  location(): Promise<string>
}

const folders: string[] = []
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))))

export const backends: readonly Backend[] = [
  { name: 'memory', location: async () => `memory://sharing-${randomBytes(4).toString('hex')}` },
  {
    name: 'fs',
    async location() {
      const dir = await mkdtemp(join(tmpdir(), 'varve-sharing-'))
      folders.push(dir)
      return dir
    },
  },
]

/** A repository holding collection `sales` with series a (days 1–3) and b (days 1–2). */
export async function publisher(backend: Backend): Promise<{ repo: Repo; sales: Collection }> {
  const repo = await Repo.open(await backend.location())
  const sales = await repo.createCollection('sales', schema)
  await sales.series('a').write({ timestamp: [1, 2, 3].map(day), value: [1, 2, 3] })
  await sales.series('b').write({ timestamp: [1, 2].map(day), value: [10, 20] })
  return { repo, sales }
}

/** Every series' values and timestamps, by label. */
export async function contents(collection: Collection): Promise<Record<string, [string[], number[]]>> {
  const out: Record<string, [string[], number[]]> = {}
  for (const label of await collection.labels()) {
    const frame = await collection.series(label).read()
    out[label] = [
      [...(frame.column('timestamp') as BigInt64Array)].map((t) => new Date(Number(t)).toISOString()),
      [...(frame.column('value') as Float64Array)],
    ]
  }
  return out
}

/** The error a promise (or a function that may throw at once) ends with. */
export async function failure(run: () => unknown): Promise<Error> {
  try {
    await run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}
