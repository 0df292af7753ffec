import { createMemoryStore, Repo, Schema, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })

/** A repository holding one series of `rows` rows, and the key of its one chunk (its largest object). */
async function oneChunk(rows: number) {
  const store = createMemoryStore()
  const repo = await Repo.open(store)
  const timestamp = Array.from({ length: rows }, (_, i) => 1_600_000_000_000 + i * 1000)
  const value = Float64Array.from({ length: rows }, (_, i) => Math.sin(i) * 100)
  await (await repo.createCollection('c', schema)).series('a').write({ timestamp, value })
  let chunk = ''
  let size = 0
  for await (const key of store.list('objects/')) {
    const length = (await store.get(key))!.length
    if (length > size) [chunk, size] = [key, length]
  }
  const read = async () => (await (await Repo.open(store)).collection('c'))!.series('a').read()
  return { store, chunk, read, value }
}

describe('whole-chunk reads', () => {
  it('return the rows once the chunk matched its hash, which is checked on every read', async () => {
    const { read, value } = await oneChunk(20_000)
    for (let i = 0; i < 3; i++) expect((await read()).column('value')).toEqual(value)
  })

  it('report damage that breaks decoding as a corrupted chunk naming its key', async () => {
    const { store, chunk, read } = await oneChunk(20_000)
    const bytes = (await store.get(chunk))!
    const damaged = [
      bytes.slice(0, bytes.length >> 1),
      bytes.map((b, i) => (i > 9 && i < 40 ? 0x7b : b)),
      bytes.map((b, i) => (i > bytes.length - 2000 ? b ^ 0x5a : b)),
    ]
    for (const copy of damaged) {
      await store.put(chunk, copy)
      const error = await read().catch((e: unknown) => e)
      expect(VarveError.is(error, 'Integrity'), String(error)).toBe(true)
      expect((error as Error).message).toContain(`${chunk} in memory`)
      expect((error as Error).message).toContain('do not match their hash')
    }
  })
})
