import { createMemoryStore, Repo, VarveError } from '@varve/core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Collection } from '../src/collection/collection.ts'

const day = (d: number) => `2020-01-${String(d).padStart(2, '0')}T00:00:00.000Z`
const ms = (d: number) => BigInt(Date.parse(day(d)))

async function times(collection: Collection, label: string, options = {}): Promise<bigint[]> {
  return [...((await collection.series(label).read(options)).column('timestamp') as BigInt64Array)]
}

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<VarveError> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    if (VarveError.is(error)) return error
    throw error
  }
  throw new Error('expected a VarveError')
}

describe('read scope', () => {
  let full: Collection
  beforeAll(async () => {
    const repo = await Repo.open(createMemoryStore())
    full = await repo.createCollection('c', { timestamp: 'timestamp*', value: 'float64' })
    const rows = { timestamp: [1, 2, 3, 4, 5, 6].map(day), value: [1, 2, 3, 4, 5, 6] }
    await full.write({ a: rows, b: rows, c: rows })
  })

  it('limits labels() and series() to its labels', async () => {
    const view = full.withScope({ labels: ['b', 'a'], owner: 'dataset "ab"', hint: 'Publish one with c.' })
    expect(view.readOnly).toBe(true)
    expect(await view.labels()).toEqual(['a', 'b'])
    expect(await times(view, 'a')).toHaveLength(6)
    const error = await rejection(() => view.series('c'))
    expect(error.code).toBe('OutOfScope')
    expect(error.message).toBe(
      'Series "c" is outside dataset "ab", which holds only series b, a. Publish one with c.',
    )
    expect(error.details).toEqual({ label: 'c', labels: ['b', 'a'] })
  })

  it('clamps reads without bounds to [start, stop) and keeps explicit bounds inside it', async () => {
    const view = full.withScope({ start: day(2), stop: day(5) })
    expect(await times(view, 'a')).toEqual([ms(2), ms(3), ms(4)])
    expect(await times(view, 'a', { start: day(3) })).toEqual([ms(3), ms(4)])
    expect(await times(view, 'a', { stop: day(3) })).toEqual([ms(2), ms(3)])
    expect(await times(view, 'a', { start: day(2), stop: day(5) })).toEqual([ms(2), ms(3), ms(4)])
    expect(await times(view, 'a', { stop: day(4), closed: 'neither' })).toEqual([ms(3)])
    expect(await times(view, 'a', { offset: 1, limit: 1 })).toEqual([ms(3)])
    expect(await times(view.at(new Date()), 'b')).toEqual([ms(2), ms(3), ms(4)])
  })

  it('refuses reads reaching outside the range, saying what the view holds', async () => {
    const view = full.withScope({ start: day(2), stop: day(5) })
    const early = await rejection(view.series('a').read({ start: day(1) }))
    expect(early.code).toBe('OutOfScope')
    expect(early.message).toBe(
      `Reading series "a" with start ${day(1)} reaches outside this view, which holds every series in index [${day(2)}, ${day(5)}). Leave start out to read up to the scope's edge, or: Read the collection itself for data outside it.`,
    )
    expect(early.details).toEqual({ label: 'a', start: String(ms(1)) })
    expect((await rejection(view.series('a').read({ stop: day(6) }))).code).toBe('OutOfScope')
    const open = full.withScope({ start: day(4) })
    expect(await times(open, 'c')).toEqual([ms(4), ms(5), ms(6)])
    expect((await rejection(open.series('c').read({ start: day(3), stop: day(6) }))).message).toContain(
      `every series in index [${day(4)}, )`,
    )
  })

  it('refuses writes, merges, squashes and deletes on a scoped view', async () => {
    const view = full.withScope({ labels: ['a'], owner: 'dataset "a"' })
    const write = await rejection(view.write({ a: { timestamp: [day(9)], value: [9] } }))
    expect(write.code).toBe('ReadOnly')
    expect(write.message).toContain('dataset "a" is a read-only view')
    expect((await rejection(view.series('a').write({ timestamp: [day(9)], value: [9] }))).code).toBe(
      'ReadOnly',
    )
    expect((await rejection(view.series('a').delete({ start: day(1) }))).code).toBe('ReadOnly')
    expect((await rejection(() => view.merge())).code).toBe('ReadOnly')
    expect((await rejection(() => view.squash())).code).toBe('ReadOnly')
    expect(await times(full, 'a')).toHaveLength(6)
  })

  it('refuses malformed scopes', async () => {
    const bad = [
      [{ labels: [] }, /non-empty array/],
      [{ labels: ['a', ''] }, /Invalid series label ""/],
      [{ start: 'yesterday' }, /timestamp/],
      [{ start: day(5), stop: day(5) }, /must come before its stop/],
      [{ stop: day(5), series: ['a'] }, /Unknown read scope field "series"/],
    ] as const
    for (const [scope, message] of bad) {
      const error = await rejection(() => full.withScope(scope as never))
      expect(error.code).toBe('InvalidArgument')
      expect(error.message).toMatch(message)
    }
  })

  it('narrows a scoped view to the labels and range both hold', async () => {
    const outer = full.withScope({ labels: ['a', 'b'], start: day(2) })
    const view = outer.withScope({ labels: ['b', 'c'], stop: day(4), owner: 'dataset "bc"' })
    expect(await view.labels()).toEqual(['b'])
    expect(await times(view, 'b')).toEqual([ms(2), ms(3)])
    expect((await rejection(() => view.series('c'))).message).toContain('dataset "bc", which holds')
    expect((await rejection(view.series('b').read({ start: day(1) }))).code).toBe('OutOfScope')
    const wider = outer.withScope({ start: day(1), stop: day(9) })
    expect(await times(wider, 'a')).toEqual([ms(2), ms(3), ms(4), ms(5), ms(6)])
  })
})
