import { tableFromIPC } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/index.ts'
import { makeRepoFolder, type RepoFolder } from './fixtures.ts'

let folder: RepoFolder
let server: RunningServer

beforeAll(async () => {
  folder = await makeRepoFolder(1000)
  server = await startServer({ repo: folder.repo, port: 0, log: false })
})
afterAll(async () => {
  await server?.close()
  await folder?.cleanup()
})

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init)
const json = async (path: string) => {
  const response = await get(path)
  expect(response.status, path).toBe(200)
  return (await response.json()) as Record<string, unknown>
}

describe('API', () => {
  it('lists collections with their schemas and heads', async () => {
    const body = await json('/api/collections')
    expect(body.collections).toEqual([
      {
        name: 'prices',
        schema: { id: 'int64*', price: 'float64', note: 'str' },
        heads: 1,
        series: 1,
        rows: 3,
      },
      {
        name: 'temperature',
        schema: { timestamp: 'timestamp[ms]*', value: 'float64' },
        heads: 1,
        series: 2,
        rows: 1010,
      },
    ])
  })

  it('describes a collection: series with rows and stored bytes', async () => {
    const body = (await json('/api/collections/temperature')) as {
      series: { label: string; rows: number; bytes: number }[]
      heads: string[]
    }
    expect(body.series.map((s) => [s.label, s.rows])).toEqual([
      ['Brussels', 1000],
      ['Paris', 10],
    ])
    const stored = await (await folder.repo.collection('temperature'))!.seriesInfo()
    expect(body.series.map((s) => s.bytes)).toEqual(stored.map((s) => s.storedBytes))
    expect(body.series.every((s) => s.bytes > 0)).toBe(true)
    expect(body.heads).toHaveLength(1)
  })

  it('answers schema, log (oldest first, with parents) and heads', async () => {
    expect(await json('/api/collections/temperature/schema')).toEqual({
      timestamp: 'timestamp[ms]*',
      value: 'float64',
    })
    const log = (await json('/api/collections/temperature/log')) as {
      revisions: { id: string; parents: string[] }[]
      heads: string[]
    }
    expect(log.revisions).toHaveLength(3)
    expect(log.revisions[1]!.parents).toEqual([log.revisions[0]!.id])
    expect(log.heads).toEqual([log.revisions[2]!.id])
    const heads = (await json('/api/collections/temperature/heads')) as { heads: { id: string }[] }
    expect(heads.heads.map((h) => h.id)).toEqual(log.heads)
  })

  it('reads a range as JSON, CSV and Arrow IPC', async () => {
    const range = 'start=2024-01-01T00:10:00Z&stop=2024-01-01T00:12:00Z'
    const asJson = (await json(`/api/collections/temperature/series/Brussels?${range}`)) as {
      length: number
      columns: { timestamp: string[]; value: number[] }
    }
    expect(asJson.length).toBe(3)
    expect(asJson.columns.timestamp).toEqual([
      '2024-01-01T00:10:00.000Z',
      '2024-01-01T00:11:00.000Z',
      '2024-01-01T00:12:00.000Z',
    ])
    expect(asJson.columns.value[0]).toBeCloseTo(Math.sin(10 / 50) * 10 + 20)

    const csv = await (await get(`/api/collections/temperature/series/Brussels?${range}&format=csv`)).text()
    expect(csv.split('\n')[0]).toBe('timestamp,value')
    expect(csv.trim().split('\n')).toHaveLength(4)

    const arrow = await get(`/api/collections/temperature/series/Brussels?${range}`, {
      headers: { accept: 'application/vnd.apache.arrow.stream' },
    })
    expect(arrow.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream')
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()))
    expect(table.numRows).toBe(3)

    const quoted = await (await get('/api/collections/prices/series/ACME?format=csv')).text()
    expect(quoted).toBe('id,price,note\n1,1.5,a\n2,2.5,"b,c"\n3,3.5,"d""e"\n')
    const paged = (await json('/api/collections/prices/series/ACME?start=2&limit=1&select=price')) as {
      columns: Record<string, unknown[]>
    }
    expect(paged.columns).toEqual({ id: ['2'], price: [2.5] })
  })

  it('reads the past with at= (a revision id or a date)', async () => {
    const log = (await json('/api/collections/temperature/log')) as { revisions: { id: string }[] }
    const first = (await json(
      `/api/collections/temperature/series/Brussels?at=${log.revisions[0]!.id}&select=`,
    )) as {
      length: number
    }
    expect(first.length).toBe(500)
    const before = (await json('/api/collections/temperature/series/Brussels?at=2000-01-01')) as {
      length: number
    }
    expect(before.length).toBe(0)
    expect((await get('/api/collections/temperature/series/Brussels?at=ffffffff')).status).toBe(404)
  })

  it('downsamples a chart to at most 4 points per pixel column', async () => {
    const chart = (await json('/api/collections/temperature/series/Brussels/chart?width=50')) as {
      rows: number
      x: number[]
      y: number[]
      time: boolean
      column: string
    }
    expect(chart).toMatchObject({ rows: 1000, time: true, column: 'value' })
    expect(chart.x.length).toBeLessThanOrEqual(200)
    expect(chart.x[0]).toBe(Date.UTC(2024, 0, 1) / 1000)
    expect(Math.max(...chart.y)).toBeCloseTo(30, 1)
  })

  it('takes the label in ?label= too, for labels a URL path cannot carry', async () => {
    const repo = folder.repo
    await (await repo.collection('prices'))!.series('..').write({ id: [7], price: [7.5], note: ['dots'] })
    const body = (await json('/api/collections/prices/read?label=..&select=note')) as { columns: unknown }
    expect(body.columns).toEqual({ id: ['7'], note: ['dots'] })
    const chart = (await json('/api/collections/prices/chart?label=..')) as { y: number[]; time: boolean }
    expect(chart).toMatchObject({ y: [7.5], time: false })
    expect((await get('/api/collections/prices/read')).status).toBe(400)
    await (await repo.collection('prices'))!.series('..').delete({ start: 7, stop: 7 })
  })

  it('takes long collection names and labels in the path', async () => {
    const name = `c${'x'.repeat(127)}`
    const label = 'é'.repeat(1024)
    const collection = await folder.repo.createCollection(name, { id: 'int64*', v: 'float64' })
    await collection.series(label).write({ id: [1], v: [2] })
    const body = (await json(`/api/collections/${name}/series/${encodeURIComponent(label)}`)) as {
      length: number
    }
    expect(body.length).toBe(1)
    await folder.repo.dropCollection(name)
  })

  it('answers errors as JSON with a code: unknown collection, bad name, bad options', async () => {
    const missing = await get('/api/collections/nope')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { code: 'NotFound' } })
    expect((await get('/api/collections/bad%20name')).status).toBe(400)
    expect((await get('/api/collections/temperature/series/Brussels?format=xml')).status).toBe(400)
    expect((await get('/api/collections/temperature/series/Brussels?limit=-1')).status).toBe(400)
    expect((await get('/api/collections/temperature/series/Brussels?select=nope')).status).toBe(400)
    expect((await get('/api/collections/temperature/series/Brussels/chart?width=99999')).status).toBe(400)
    expect((await get('/api/nothing')).status).toBe(404)
  })

  it('lists datasets with what they hold (index bounds as decimal text)', async () => {
    expect((await json('/api/datasets')).datasets).toEqual([])
    await folder.repo.datasets.publish('brussels-day', {
      collection: 'temperature',
      series: ['Brussels'],
      revision: 'head',
      start: '2024-01-01',
      stop: '2024-01-02',
    })
    const body = (await json('/api/datasets')) as { datasets: Record<string, unknown>[] }
    expect(body.datasets).toHaveLength(1)
    expect(body.datasets[0]).toMatchObject({
      name: 'brussels-day',
      collection: 'temperature',
      series: ['Brussels'],
      start: String(Date.UTC(2024, 0, 1)),
      stop: String(Date.UTC(2024, 0, 2)),
    })
    expect(body.datasets[0]!.revision).toMatch(/^[0-9a-f]{16}-[0-9a-f]{8}$/)
  })
})
