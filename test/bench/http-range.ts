import { join } from 'node:path'
import { createHttpStore, Repo } from '@varve/core'
import { startServer } from '@varve/server'
import { time } from './w1.ts'
import { median, randomWalk, START_MS, timestamps } from './workloads.ts'

export interface HttpRangeResult {
  readonly rows: number
  readonly readRows: number
  readonly requests: number
  readonly bytes: number
  readonly varveMs: number
  readonly rawMs: number
}

/**
 * A ranged read over HTTP: `series.read({ start, stop })` of `readRows` rows in the middle of a
 * `rows`-row series, through a fresh `Repo.open('http://…/repo')` without cache against a Varve
 * server on a folder, against a raw `fetch` of exactly the same requests (URLs and Range headers,
 * recorded from the read, one after another) in the same run.
 */
export async function benchHttpRange(
  root: string,
  rows: number,
  readRows: number,
  runs: number,
): Promise<HttpRangeResult> {
  const dir = join(root, 'http-range')
  const source = await Repo.open(dir)
  const collection = await source.createCollection('prices', { timestamp: 'timestamp*', value: 'float64' })
  await collection.series('walk').write({ timestamp: timestamps(rows), value: randomWalk(rows, 11) })
  const server = await startServer({ repo: source, port: 0, log: false })
  const first = Math.floor(rows / 2)
  const range = {
    start: new Date(START_MS + first * 1000),
    stop: new Date(START_MS + (first + readRows - 1) * 1000),
  }
  try {
    let recorded: { url: string; headers: Headers }[] = []
    let bytes = 0
    const recording: typeof fetch = async (input, init) => {
      recorded.push({ url: String(input), headers: new Headers(init?.headers) })
      const response = await fetch(input, init)
      const body = await response.arrayBuffer()
      bytes += body.byteLength
      return new Response(body, { status: response.status, headers: response.headers })
    }
    const read = async () => {
      const repo = await Repo.open(createHttpStore({ url: server.repoUrl, fetch: recording }), {
        create: false,
        cache: { memoryBytes: 0 },
      })
      const frame = await (await repo.collection('prices'))!.series('walk').read(range)
      if (frame.length !== readRows) throw new Error(`read ${frame.length} rows, expected ${readRows}`)
    }
    const varve: number[] = []
    const raw: number[] = []
    for (let run = 0; run < runs + 1; run++) {
      recorded = []
      bytes = 0
      const ms = await time(read)
      const requests = recorded
      const rawMs = await time(async () => {
        for (const request of requests)
          await (await fetch(request.url, { headers: request.headers })).arrayBuffer()
      })
      // The first run warms the server's file cache and both clients' connections.
      if (run > 0) {
        varve.push(ms)
        raw.push(rawMs)
      }
    }
    return { rows, readRows, requests: recorded.length, bytes, varveMs: median(varve), rawMs: median(raw) }
  } finally {
    await server.close()
  }
}
