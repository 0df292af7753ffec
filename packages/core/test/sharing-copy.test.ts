import { createFaultyStore, createMemoryStore, publish, Repo, replicate, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { contents, day, failure, schema } from './sharing-support.ts'

let hubs = 0

/** A hub holding `sales` with three revisions, and its URI as a store object. */
async function hub() {
  const repo = await Repo.open(createMemoryStore({ description: `memory://copy-hub-${++hubs}` }))
  const sales = await repo.createCollection('sales', schema)
  for (const d of [1, 2, 3]) await sales.series('a').write({ timestamp: [day(d)], value: [d] })
  return { repo, sales, uri: { store: repo, collection: 'sales' } }
}

describe('detached copies interrupted midway', () => {
  it('a re-run of createCollection(name, { source }) finishes the copy', async () => {
    const { sales, uri } = await hub()
    // The second revision's create fails: the name holds the first revision only.
    const store = createFaultyStore(createMemoryStore(), {
      faults: [{ ops: ['create'], keys: /^revisions\//, skip: 1, times: 1, error: 'Transient' }],
    })
    const repo = await Repo.open(store)
    const failed = await failure(() => repo.createCollection('mine', { source: uri }))
    expect(VarveError.is(failed, 'Transient')).toBe(true)
    expect(await (await repo.collection('mine'))!.log()).toHaveLength(1)

    const mine = await repo.createCollection('mine', { source: uri })
    expect((await mine.log()).map((r) => r.id)).toEqual((await sales.log()).map((r) => r.id))
    expect(await contents(mine)).toEqual(await contents(sales))
    expect(mine.upstream).toEqual([])
    expect(mine.readOnly).toBe(false)
    // Once finished, it is a copy of its own: what is written to it makes it no copy to resume.
    await mine.series('a').write({ timestamp: [day(9)], value: [9] })
    const taken = await failure(() => repo.createCollection('mine', { source: uri }))
    expect(VarveError.is(taken, 'AlreadyExists')).toBe(true)
    expect(taken.message).toBe(
      `Collection "mine" already exists and is not an unfinished copy of memory://copy-hub-${hubs}#sales: it holds 1 revision the source does not have. Nothing was copied; open it with repo.collection("mine"), or copy under another name.`,
    )
    expect(await mine.log()).toHaveLength(4)
  })

  it('refuses, saying why, a name holding another schema, a replica, a published collection or the source itself', async () => {
    const { repo: source, uri } = await hub()
    const repo = await Repo.open(createMemoryStore())
    await repo.createCollection('other-schema', { timestamp: 'timestamp*', value: 'int32' })
    await replicate(uri, repo, 'mirror')
    const published = await repo.createCollection('published', schema)
    await published.series('a').write({ timestamp: [day(1)], value: [1] })
    await publish(published, {
      store: createMemoryStore({ description: 'memory://copy-elsewhere' }),
      collection: 'p',
    })
    const cases: [Repo, string, RegExp][] = [
      [repo, 'other-schema', /: it has another schema \(/],
      [repo, 'mirror', /: it is a replica of memory:\/\/copy-hub-\d+#sales\./],
      [repo, 'published', /: it is published to memory:\/\/copy-elsewhere#p\./],
      [source, 'sales', /: it is that collection itself \(the same id\)\./],
    ]
    for (const [into, name, reason] of cases) {
      const error = await failure(() => into.createCollection(name, { source: uri }))
      expect(VarveError.is(error, 'AlreadyExists'), name).toBe(true)
      expect(error.message, name).toMatch(
        /already exists and is not an unfinished copy of memory:\/\/copy-hub/,
      )
      expect(error.message, name).toMatch(reason)
    }
    expect(await (await repo.collection('published'))!.log()).toHaveLength(1)
  })
})
