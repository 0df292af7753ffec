import { type Collection, createMemoryStore, Repo, Schema, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const day = (d: number) => `2020-01-${String(d).padStart(2, '0')}T00:00:00Z`
const rows = (from: number, to: number, value: (d: number) => number) => {
  const days = Array.from({ length: to - from + 1 }, (_, i) => from + i)
  return { timestamp: days.map(day), value: days.map(value) }
}

async function values(c: Collection, label: string) {
  return [...((await c.series(label).read()).column('value') as Float64Array)]
}

/** Two writers on one store, diverging from a shared first revision. */
async function diverged(clocks: [() => number, () => number] = [Date.now, Date.now]) {
  const store = createMemoryStore()
  const one = await Repo.open(store, { clock: clocks[0] })
  const two = await Repo.open(store, { clock: clocks[1] })
  const c1 = await one.createCollection('c', schema)
  await c1.series('a').write(rows(1, 10, () => 0))
  const c2 = (await two.collection('c'))!
  return { store, c1, c2 }
}

describe('merge', () => {
  it('keeps non-overlapping changes of both sides and lets the later write win where they overlap', async () => {
    let t = Date.parse('2024-01-01T00:00:00Z')
    const tick = () => t++
    const { c1, c2 } = await diverged([tick, tick])
    // Both build on the same head: a concurrent pair of branches.
    const head = (await c1.heads())[0]!
    await Promise.all([c1.series('a').write(rows(2, 4, () => 1)), c2.series('a').write(rows(3, 6, () => 2))])
    await Promise.all([
      c1.series('only-one').write(rows(1, 2, () => 11)),
      c2.series('only-two').write(rows(1, 2, () => 22)),
    ])
    const before = await c1.heads()
    expect(before.length).toBeGreaterThanOrEqual(2)

    const result = await c1.merge()
    expect([...result.merged].sort()).toEqual(before.map((h) => h.id).sort())
    expect(await c1.heads()).toHaveLength(1)
    expect(await c1.labels()).toEqual(['a', 'only-one', 'only-two'])
    const log = await c1.log()
    // Of the two overlapping writes (both on the first head), the later by clock decides days 3-4.
    const pair = log.filter((r) => r.parents.length === 1 && r.parents[0] === head.id).slice(0, 2)
    const later = (await values(c1.at(pair[1]!.id), 'a'))[1] === 1 ? 'ones' : 'twos'
    expect(await values(c1, 'a')).toEqual(
      later === 'ones' ? [0, 1, 1, 1, 2, 2, 0, 0, 0, 0] : [0, 1, 2, 2, 2, 2, 0, 0, 0, 0],
    )
    expect(await values(c1, 'only-one')).toEqual([11, 11])
    expect(await values(c1, 'only-two')).toEqual([22, 22])
    // Merging a single head is a no-op.
    const again = await c1.merge()
    expect(again.merged).toEqual([])
    expect((await c1.log()).length).toBe(log.length)
  })

  it('orders by the hybrid clock: a write made after seeing another wins even with a clock an hour behind', async () => {
    const store = createMemoryStore()
    const ahead = await Repo.open(store, { clock: () => Date.parse('2024-01-01T01:00:00Z') })
    const behind = await Repo.open(store, { clock: () => Date.parse('2024-01-01T00:00:00Z') })
    const c1 = await ahead.createCollection('c', schema)
    await c1.series('a').write(rows(1, 10, () => 0))
    // A side branch from the first revision, made elsewhere and pulled in later.
    const side = await Repo.clone(store, createMemoryStore())
    await (await side.collection('c'))!.series('other').write(rows(1, 1, () => 7))
    // The writer an hour ahead writes day 5; the writer behind sees it, then overwrites it.
    const seen = (await c1.series('a').write(rows(5, 5, () => 100)))!
    const c2 = (await behind.collection('c'))!
    const after = (await c2.series('a').write(rows(5, 5, () => 200)))!
    expect(after.parents).toEqual([seen.id])
    expect(after.id > seen.id).toBe(true)
    expect(after.time.getTime()).toBeGreaterThanOrEqual(seen.time.getTime())
    await ahead.pull(side)
    expect(await c1.heads()).toHaveLength(2)
    await c1.merge()
    expect((await values(c1, 'a'))[4]).toBe(200)
    expect(await values(c1, 'other')).toEqual([7])
  })

  it("with strategy 'fail' lists every conflicting series and range and writes nothing", async () => {
    const { store, c1, c2 } = await diverged()
    await Promise.all([c1.series('a').write(rows(2, 3, () => 1)), c2.series('a').write(rows(3, 4, () => 2))])
    await Promise.all([c1.series('b').write(rows(1, 1, () => 5)), c2.series('b').write(rows(1, 1, () => 5))])
    const before: string[] = []
    for await (const key of store.list('')) before.push(key)
    const error = await c1.merge({ strategy: 'fail' }).catch((e: unknown) => e)
    expect(VarveError.is(error, 'MergeConflict')).toBe(true)
    const conflicts = (error as VarveError).details.conflicts as {
      label: string
      start: bigint
      stop: bigint
    }[]
    expect(conflicts).toHaveLength(1)
    expect(conflicts[0]).toMatchObject({
      label: 'a',
      start: BigInt(Date.parse(day(3))),
      stop: BigInt(Date.parse(day(3))),
    })
    expect((error as Error).message).toMatch(/"a"/)
    const after: string[] = []
    for await (const key of store.list('')) after.push(key)
    expect(after).toEqual(before)
    // Equal writes on both sides are no conflict.
    await c1.series('a').write(rows(2, 4, () => 9))
    await expect(c1.merge({ strategy: 'fail' })).rejects.toMatchObject({ code: 'MergeConflict' })
    await expect(c1.merge({ strategy: 'sideways' as 'fail' })).rejects.toMatchObject({
      code: 'InvalidArgument',
    })
  })

  it('gives the same data on two machines, and one more merge after exchanging leaves one head', async () => {
    const { store, c1, c2 } = await diverged()
    await Promise.all([c1.series('a').write(rows(2, 5, () => 1)), c2.series('a').write(rows(4, 8, () => 2))])
    const x = await Repo.clone(store, createMemoryStore())
    const y = await Repo.clone(store, createMemoryStore())
    const [cx, cy] = [(await x.collection('c'))!, (await y.collection('c'))!]
    const [mx, my] = await Promise.all([cx.merge(), cy.merge()])
    expect(mx.revision!.id).not.toBe(my.revision!.id)
    expect(await values(cx, 'a')).toEqual(await values(cy, 'a'))
    await x.pull(y)
    expect(await cx.heads()).toHaveLength(2)
    await cx.merge()
    expect(await cx.heads()).toHaveLength(1)
    expect(await values(cx, 'a')).toEqual(await values(cy, 'a'))
  })

  it('lets a resolver decide each conflict, and later merges keep its choice', async () => {
    const { store, c1, c2 } = await diverged()
    await Promise.all([c1.series('a').write(rows(2, 4, () => 1)), c2.series('a').write(rows(3, 5, () => 2))])
    const seen: { label: string; sides: (number[] | undefined)[] }[] = []
    await c1.merge({
      resolve: (conflict) => {
        seen.push({
          label: conflict.label,
          sides: conflict.rows.map((f) => (f ? [...(f.column('value') as Float64Array)] : undefined)),
        })
        // Our rule: the larger value wins, row by row (here: average would do too).
        return { timestamp: [day(3), day(4)], value: [42, 43] }
      },
    })
    expect(seen).toHaveLength(1)
    expect(seen[0]!.label).toBe('a')
    expect(seen[0]!.sides.map((s) => s?.length)).toEqual([2, 2])
    expect(await values(c1, 'a')).toEqual([0, 1, 42, 43, 2, 0, 0, 0, 0, 0])
    // Another writer branches off and the merged result survives a later merge.
    const c3 = (await (await Repo.open(store)).collection('c'))!
    await Promise.all([c1.series('b').write(rows(1, 1, () => 5)), c3.series('c').write(rows(1, 1, () => 6))])
    await c1.merge()
    expect(await values(c1, 'a')).toEqual([0, 1, 42, 43, 2, 0, 0, 0, 0, 0])
    // A resolver's rows must stay inside the conflict's range.
    await Promise.all([c1.series('z').write(rows(1, 2, () => 1)), c3.series('z').write(rows(2, 3, () => 2))])
    await expect(c1.merge({ resolve: () => ({ timestamp: [day(9)], value: [0] }) })).rejects.toMatchObject({
      code: 'InvalidArgument',
    })
  })

  it('joins more heads than a revision can name, in rounds', async () => {
    const store = createMemoryStore()
    const first = await Repo.open(store)
    await (await first.createCollection('c', schema)).series('a').write(rows(1, 1, () => 0))
    const writers = await Promise.all(
      Array.from({ length: 11 }, async () => (await (await Repo.open(store)).collection('c'))!),
    )
    await Promise.all(writers.map((c, i) => c.series(`w${i}`).write(rows(1, 1, () => i))))
    const c = writers[0]!
    expect((await c.heads()).length).toBe(11)
    const result = await c.merge()
    expect(result.merged.length).toBeGreaterThanOrEqual(11)
    expect(await c.heads()).toHaveLength(1)
    expect((await c.labels()).length).toBe(12)
  })
})
