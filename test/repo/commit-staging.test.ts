import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Repo, Schema, type Store, VarveError } from '@varve/core'
import { createFsStore } from '@varve/store-fs'
import { afterEach, describe, expect, it } from 'vitest'

const schema = new Schema({ time: 'int64*', value: 'float64' })
const rows = (start: number, count: number) => ({
  time: Array.from({ length: count }, (_, i) => BigInt(start + i)),
  value: Array.from({ length: count }, (_, i) => start + i + 0.25),
})

const folders: string[] = []
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })))
})

async function repoFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'varve-commit-staging-'))
  folders.push(folder)
  return folder
}

const staged = async (root: string) => (await readdir(join(root, '.staging')).catch(() => [])).sort()

describe('a commit on the fs store stages its objects', () => {
  it('while it hashes them, and leaves nothing aside once committed', async () => {
    const root = await repoFolder()
    const fs = createFsStore({ root })
    let stages = 0
    const store: Store = {
      ...fs,
      stage: (bytes) => {
        stages++
        return fs.stage!(bytes)
      },
    }
    const collection = await (await Repo.open(store)).createCollection('c', schema)
    await collection.write({ a: rows(0, 100), b: rows(0, 100) })
    // Equal rows make one chunk and one series index, each staged twice and landed once; one tree node.
    expect(stages).toBe(5)
    expect(await staged(root)).toEqual([])
    const reopened = (await (await Repo.open(root)).collection('c'))!
    expect([...((await reopened.series('b').read()).column('value') as Float64Array)]).toEqual(
      rows(0, 100).value,
    )
  })

  it('drops what it staged when the commit fails before landing it', async () => {
    const root = await repoFolder()
    const fs = createFsStore({ root })
    let failing = true
    const store: Store = {
      ...fs,
      createInOrder: async (levels, options) => {
        if (failing) throw new VarveError('Transient', 'the disk went away')
        return fs.createInOrder!(levels, options)
      },
    }
    const collection = await (await Repo.open(store)).createCollection('c', schema)
    await expect(collection.series('a').write(rows(0, 1000))).rejects.toThrow(/went away/)
    expect(await (await (await Repo.open(root)).collection('c'))!.log()).toEqual([])
    // A commit after it lands; by then anything the failed one left aside would be on the disk.
    failing = false
    await collection.series('a').write(rows(0, 10))
    expect(await staged(root)).toEqual([])
    expect(await (await (await Repo.open(root)).collection('c'))!.log()).toHaveLength(1)
  })
})
