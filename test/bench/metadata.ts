import { createMemoryStore, Repo, Schema, type Store } from '@varve/core'
import { timestamps } from './workloads.ts'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const CHUNK_MAGIC = [0x56, 0x52, 0x56, 0x43]

/** A store that remembers what each write sent, to split data bytes from metadata bytes. */
function recording(inner: Store) {
  const writes: { key: string; bytes: number; chunk: boolean }[] = []
  const note = (key: string, bytes: Uint8Array) =>
    writes.push({ key, bytes: bytes.length, chunk: CHUNK_MAGIC.every((b, i) => bytes[i] === b) })
  const store: Store = {
    ...inner,
    description: inner.description,
    capabilities: inner.capabilities,
    get: (key) => inner.get(key),
    getRange: (key, range) => inner.getRange(key, range),
    list: (prefix) => inner.list(prefix),
    delete: (keys) => inner.delete(keys),
    put: async (key, bytes) => {
      note(key, bytes)
      await inner.put(key, bytes)
    },
    create: async (key, bytes) => {
      note(key, bytes)
      await inner.create(key, bytes)
    },
  }
  return { store, writes }
}

/** Metadata bytes written by one 10-row write into a collection of `seriesCount` series. */
export async function benchMetadata(
  seriesCount = 10_000,
): Promise<{ metadataBytes: number; objects: number }> {
  const { store, writes } = recording(createMemoryStore())
  const repo = await Repo.open(store)
  const c = await repo.createCollection('many', schema)
  const batch = new Map<string, { timestamp: BigInt64Array; value: Float64Array }>()
  for (let s = 0; s < seriesCount; s++)
    batch.set(`sensor-${s}`, { timestamp: timestamps(10), value: new Float64Array(10).fill(s) })
  await c.write(batch)
  writes.length = 0
  await c.series('sensor-4242').write({ timestamp: timestamps(10, 10), value: new Float64Array(10).fill(1) })
  const metadata = writes.filter((w) => !w.chunk)
  return { metadataBytes: metadata.reduce((n, w) => n + w.bytes, 0), objects: metadata.length }
}

/** Stored bytes per row of one series (data plus metadata). */
export async function bytesPerRow(values: Float64Array): Promise<number> {
  const { store, writes } = recording(createMemoryStore())
  const repo = await Repo.open(store)
  const c = await repo.createCollection('one', schema)
  writes.length = 0
  await c.series('s').write({ timestamp: timestamps(values.length), value: values })
  return writes.reduce((n, w) => n + w.bytes, 0) / values.length
}
