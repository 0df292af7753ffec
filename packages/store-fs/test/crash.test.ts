import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { VarveError } from '@varve/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFsStore } from '../src/fs-store.ts'
import { startChild } from './children.ts'
import { makePayload, payloadSeed } from './payload.ts'
import { filesUnder, makeTempFolder, removeFolder } from './temp-folder.ts'

describe('a writer killed mid-write', () => {
  let folder: string

  beforeEach(async () => {
    folder = await makeTempFolder()
  })
  afterEach(async () => {
    await removeFolder(folder)
  })

  it('leaves only whole objects, lists no temporary file, and the store keeps working', async () => {
    const root = join(folder, 'root')
    const store = createFsStore({ root })
    let leftovers = 0
    for (let run = 0; run < 5; run++) {
      const child = startChild('crash-child.ts', [root, String(run * 10)])
      // Kill just after a put (even runs) or a create (odd runs) starts, a little later each run.
      const operation = run % 2 === 0 ? 'put' : 'create'
      await child.waitForLine((line) => line.startsWith(operation) && Number(line.split(' ')[1]) >= 3 + run)
      await sleep(run)
      child.process.kill('SIGKILL')
      expect((await child.exited).signal).toBe('SIGKILL')

      const keys = await collect(store.list(''))
      expect(keys.length).toBeGreaterThan(0)
      for (const key of keys) {
        expect(key).toMatch(/^(objects\/k\d|created\/\d+-\d+)$/)
        const bytes = await store.get(key)
        expect(payloadSeed(bytes!), `${key} holds a whole payload`).toBeTypeOf('number')
      }
      const files = await filesUnder(root)
      const temporary = files.filter((file) => file.split('/').at(-1)!.startsWith('.'))
      expect(files.filter((file) => !temporary.includes(file))).toEqual([...keys].sort())
      leftovers += temporary.length
    }
    // The kills landed mid-write at least once (a temporary file was left), or the test proved nothing.
    expect(leftovers).toBeGreaterThan(0)

    const fresh = makePayload(99, 1000)
    await store.put('objects/k0', fresh)
    expect(await store.get('objects/k0')).toEqual(fresh)
    const [created] = await collect(store.list('created/'))
    await expect(store.create(created!, fresh)).rejects.toSatisfy((error) =>
      VarveError.is(error, 'AlreadyExists'),
    )
    await store.delete([created!])
    await store.create(created!, fresh)
    expect(await store.get(created!)).toEqual(fresh)
    await store.create('objects/k9', fresh)
    expect(payloadSeed((await store.getRange('objects/k9', { offset: 0, length: 2000 }))!)).toBe(99)
  })
})

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const key of keys) all.push(key)
  return all
}
