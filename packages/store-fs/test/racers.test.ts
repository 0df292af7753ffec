import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { VarveError } from '@varve/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFsStore } from '../src/fs-store.ts'
import { startChild } from './children.ts'
import { racerPayload } from './race-payload.ts'
import { filesUnder, makeTempFolder, removeFolder } from './temp-folder.ts'

const racers = 8
// Keys in the root, in a shared folder and in folders of their own: each is a separate race.
const createKeys = Array.from(
  { length: 12 },
  (_, i) => [`key-${i}`, `race/key-${i}`, `race/own-${i}/key`][i % 3]!,
)
const interval = 60
const putKey = 'race/shared'

describe('racing processes', () => {
  let folder: string

  beforeEach(async () => {
    folder = await makeTempFolder()
  })
  afterEach(async () => {
    await removeFolder(folder)
  })

  it('lets exactly one of 8 processes create each key, and leaves one whole payload after racing puts', async () => {
    const root = join(folder, 'root')
    const signal = join(folder, 'go')
    const children = Array.from({ length: racers }, (_, i) =>
      startChild('race-child.ts', [root, `r${i}`, signal, String(interval), createKeys.join(','), putKey]),
    )
    await Promise.all(children.map((child) => child.waitForLine((line) => line.includes('"ready"'))))
    // Start once every racer is ready: a moment from now, leaving time to read the signal.
    await writeFile(signal, String(Date.now() + 100))
    const ends = await Promise.all(children.map((child) => child.exited))
    for (const end of ends) expect(end, end.stderr).toMatchObject({ code: 0 })

    const outcomes = children.map((child, i) =>
      child.lines
        .map((line) => JSON.parse(line) as { key?: string; outcome?: string })
        .filter((line) => line.outcome !== undefined)
        .map((line) => ({ racer: `r${i}`, key: line.key, outcome: line.outcome })),
    )
    const store = createFsStore({ root })
    for (const key of createKeys) {
      const forKey = outcomes.flat().filter((outcome) => outcome.key === key)
      expect(forKey).toHaveLength(racers)
      const winners = forKey.filter((outcome) => outcome.outcome === 'created')
      expect(winners, JSON.stringify(forKey)).toHaveLength(1)
      expect(forKey.filter((outcome) => outcome.outcome === 'AlreadyExists')).toHaveLength(racers - 1)
      expect(await store.get(key)).toEqual(racerPayload(key, winners[0]!.racer))
    }

    const shared = await store.get(putKey)
    const matches = children.map((_, i) => `r${i}`).filter((id) => equal(shared, racerPayload(putKey, id)))
    expect(matches).toHaveLength(1)

    // No temporary file survives: every write removed or renamed its own.
    expect(await filesUnder(root)).toEqual([...createKeys, putKey].sort())
    await expect(store.create(createKeys[0]!, new Uint8Array([1]))).rejects.toSatisfy((error) =>
      VarveError.is(error, 'AlreadyExists'),
    )
  })
})

function equal(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0
}
