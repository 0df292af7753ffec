/**
 * Run as a child process (`--expose-gc`): writes one series of N rows into a
 * folder repository, then, in a fresh Repo, reads it whole while sampling
 * memory. Prints one JSON line.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Repo, Schema } from '@varve/core'
import { randomWalk, timestamps } from './workloads.ts'

const rows = Number(process.argv[2] ?? 10_000_000)
const dir = await mkdtemp(join(tmpdir(), 'varve-mem-'))
const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')
try {
  {
    const c = await (await Repo.open(dir)).createCollection('m', schema)
    await c.series('s').write({ timestamp: timestamps(rows), value: randomWalk(rows, 3) })
  }
  gc()
  gc()
  await new Promise((r) => setTimeout(r, 50))
  const base = process.memoryUsage()
  let peakRss = base.rss
  let peakHeapAndBuffers = base.heapUsed + base.arrayBuffers
  const sample = () => {
    const m = process.memoryUsage()
    peakRss = Math.max(peakRss, m.rss)
    peakHeapAndBuffers = Math.max(peakHeapAndBuffers, m.heapUsed + m.arrayBuffers)
  }
  const timer = setInterval(sample, 1)
  const series = (await (await Repo.open(dir)).collection('m'))!.series('s')
  const frame = await series.read()
  sample()
  clearInterval(timer)
  if (frame.length !== rows) throw new Error(`read ${frame.length} rows, expected ${rows}`)
  const decoded = rows * 16
  console.log(
    JSON.stringify({
      rows,
      decodedBytes: decoded,
      rssOverDecoded: (peakRss - base.rss) / decoded,
      heapAndBuffersOverDecoded: (peakHeapAndBuffers - base.heapUsed - base.arrayBuffers) / decoded,
    }),
  )
} finally {
  await rm(dir, { recursive: true, force: true })
}
