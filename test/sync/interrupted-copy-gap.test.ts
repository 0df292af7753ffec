import { createFaultyStore, createMemoryStore, Repo, type Store } from '@varve/core'
import { expect, it } from 'vitest'

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)

async function copyOf(store: Store): Promise<Store> {
  const copy = createMemoryStore()
  for await (const key of store.list('')) await copy.put(key, (await store.get(key))!)
  return copy
}

// docs/sync-and-merge.md: "A crash mid-push leaves the destination readable, holding a prefix of the history".
it('a copy interrupted in the revisions phase holds no revision without its parent', async () => {
  const source = await Repo.open(createMemoryStore())
  const collection = await source.createCollection('c', { t: 'int64*', v: 'float64' })
  await collection.series('A').write({ t: rows(0, 10), v: rows(0, 10) })
  const r2 = (await collection.series('B').write({ t: rows(0, 10), v: rows(0, 10) }))!
  const r3 = (await collection.series('A').write({ t: rows(5, 10), v: rows(100, 10) }))!
  await collection.series('A').write({ t: rows(20, 5), v: rows(200, 5) })

  // r2 is slow to land; the state when the second revision has landed is what a kill then leaves.
  const inner = createMemoryStore()
  const destination = createFaultyStore(inner, {
    faults: [{ ops: ['create'], keys: new RegExp(`/${r2.id}-`), latencyMs: 200 }],
  })
  let landed = 0
  let crashed: Promise<Store> | undefined
  await source.push(destination, {
    concurrency: 2,
    onProgress: (p) => {
      if (p.phase === 'revisions' && ++landed === 2) crashed = copyOf(inner)
    },
  })

  const copy = (await (await Repo.open(await crashed!, { create: false })).collection('c'))!
  const log = await copy.log()
  const ids = new Set(log.map((r) => r.id))
  expect(log.filter((r) => r.parents.some((p) => !ids.has(p))).map((r) => r.id)).toEqual([])
  expect(ids.has(r3.id) && !ids.has(r2.id)).toBe(false)
  expect(await copy.heads()).toHaveLength(1)
  await copy.merge()
})
