import { describe, expect, it } from 'vitest'
import type { Revision } from '../src/changelog/changelog.ts'
import { decodePack } from '../src/changelog/packs.ts'
import { generationsOf, PACK_FROM, revisionLevels } from '../src/sync/revision-levels.ts'

/** A revision with just what ordering looks at: its id, parents and key. */
const revision = (id: string, parents: string[] = []) =>
  ({ id, parents, key: `revisions/c/${id}-000000000000` }) as unknown as Revision

/** A chain r0 ← r1 ← … of `n` revisions, and a second head `side` on r1. */
function history(n: number): Revision[] {
  const chain = Array.from({ length: n }, (_, i) =>
    revision(`r${String(i).padStart(3, '0')}`, i ? [`r${String(i - 1).padStart(3, '0')}`] : []),
  )
  return [...chain, revision('side', ['r001'])]
}

const read = async (r: Revision) => new TextEncoder().encode(JSON.stringify({ id: r.id }))

describe('revisionLevels', () => {
  it('lands a short history generation by generation, each revision loose', async () => {
    const missing = history(5)
    const generations = generationsOf(missing)!
    expect(generations.map((g) => g.map((r) => r.id))).toEqual([
      ['r000'],
      ['r001'],
      ['r002', 'side'],
      ['r003'],
      ['r004'],
    ])
    const levels = await revisionLevels(generations, new Set(['r004', 'side']), 'c', read, 4)
    expect(levels.map((level) => level.map((o) => o.key))).toEqual(
      generations.map((g) => g.map((r) => r.key)),
    )
  })

  it('packs a long history parents first, then lands the heads loose in one level', async () => {
    const missing = history(PACK_FROM + 4)
    const heads = new Set([missing.at(-2)!.id, 'side'])
    const levels = await revisionLevels(generationsOf(missing)!, heads, 'c', read, 4)
    expect(levels).toHaveLength(2)
    const [pack] = levels[0]!
    expect(pack!.key).toMatch(/^packs\/c\//)
    expect(pack!.revisions).toBe(PACK_FROM + 3)
    const packed = decodePack(pack!.bytes as Uint8Array, pack!.key).map((r) => r.name.split('-')[0])
    expect(packed).toEqual(missing.slice(0, PACK_FROM + 3).map((r) => r.id))
    expect(levels[1]!.map((o) => [o.key, o.revisions])).toEqual([
      ['revisions/c/side-000000000000', 1],
      [missing.at(-2)!.key, 1],
    ])
  })

  it('finds a cycle', () => {
    expect(generationsOf([revision('a', ['b']), revision('b', ['a'])])).toBeUndefined()
  })
})
