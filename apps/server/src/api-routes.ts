import { type Collection, type Repo, VarveError } from '@varve/core'
import type { FastifyInstance } from 'fastify'
import { chartColumn, chartData, MAX_CHART_WIDTH } from './chart-data.ts'
import { CONTENT_TYPES, chooseFormat, encodeFrame } from './frame-formats.ts'
import { badRequest } from './http-status.ts'
import { parseAt, readOptionsFrom, whole } from './read-query.ts'

type Params = { name: string; label: string }
type Query = Record<string, unknown>

function labelOf(value: unknown): string {
  if (typeof value !== 'string') throw badRequest('Give the series label once (?label=).')
  return value
}

/**
 * The JSON API under `/api/`: collections, one collection with its series and sizes, schema,
 * log and heads, series reads (JSON, CSV, Arrow IPC), chart points, datasets.
 */
export function registerApiRoutes(app: FastifyInstance, repo: Repo): void {
  const open = async (name: string): Promise<Collection> => {
    const collection = await repo.collection(name)
    if (collection === undefined) throw new VarveError('NotFound', `No collection "${name}".`)
    return collection
  }

  app.get('/api/collections', async () => {
    const names = await repo.collections()
    const collections = await Promise.all(
      names.map(async (name) => {
        const collection = await open(name)
        const [heads, info] = await Promise.all([collection.heads(), collection.info()])
        return {
          name,
          schema: collection.schema.toJSON(),
          heads: heads.length,
          series: info.series,
          rows: info.rows,
        }
      }),
    )
    return { collections }
  })

  app.get<{ Params: Params }>('/api/collections/:name', async (request) => {
    const collection = await open(request.params.name)
    const [heads, series] = await Promise.all([collection.heads(), collection.seriesInfo()])
    return {
      name: collection.name,
      schema: collection.schema.toJSON(),
      heads: heads.map((h) => h.id),
      series: series.map((s) => ({ label: s.label, rows: s.rows, bytes: s.storedBytes })),
    }
  })

  app.get<{ Params: Params }>('/api/collections/:name/schema', async (request) => {
    return (await open(request.params.name)).schema.toJSON()
  })

  app.get<{ Params: Params }>('/api/collections/:name/log', async (request) => {
    const collection = await open(request.params.name)
    const [log, heads] = await Promise.all([collection.log(), collection.heads()])
    return {
      revisions: log.map((r) => ({ id: r.id, parents: r.parents, time: r.time.toISOString() })),
      heads: heads.map((h) => h.id),
    }
  })

  app.get<{ Params: Params }>('/api/collections/:name/heads', async (request) => {
    const heads = await (await open(request.params.name)).heads()
    return { heads: heads.map((r) => ({ id: r.id, parents: r.parents, time: r.time.toISOString() })) }
  })

  app.get<{ Params: Params }>('/api/collections/:name/labels', async (request) => {
    const query = request.query as Query
    const collection = await open(request.params.name)
    const at = parseAt(query.at)
    return { labels: await (at === undefined ? collection : collection.at(at)).labels() }
  })

  const read = async (name: string, label: unknown, query: Query, accept: string | undefined) => {
    const format = chooseFormat(query.format, accept)
    if (format === undefined) throw badRequest('format must be json, csv or arrow.')
    const collection = await open(name)
    const { format: _f, label: _l, ...rest } = query
    const frame = await collection.series(labelOf(label)).read(readOptionsFrom(collection, rest))
    return { type: CONTENT_TYPES[format], body: encodeFrame(frame, format) }
  }
  const chart = async (name: string, label: unknown, query: Query) => {
    const collection = await open(name)
    const column = chartColumn(collection, query.column)
    const width = query.width === undefined ? 1000 : whole(query.width, 'width')
    if (width < 1 || width > MAX_CHART_WIDTH) throw badRequest(`width must be 1..${MAX_CHART_WIDTH}.`)
    const { column: _c, width: _w, label: _l, ...rest } = query
    const frame = await collection
      .series(labelOf(label))
      .read({ ...readOptionsFrom(collection, rest), select: [column] })
    return chartData(frame, column, width)
  }

  // Each read has two spellings: the label in the path, or in ?label= for the labels a URL path
  // cannot carry ('.' and '..' are resolved away by every URL parser, encoded or not).
  app.get<{ Params: Params }>('/api/collections/:name/series/:label', async (request, reply) => {
    const answer = await read(
      request.params.name,
      request.params.label,
      request.query as Query,
      request.headers.accept,
    )
    return reply.type(answer.type).send(answer.body)
  })
  app.get<{ Params: Params }>('/api/collections/:name/read', async (request, reply) => {
    const query = request.query as Query
    const answer = await read(request.params.name, query.label, query, request.headers.accept)
    return reply.type(answer.type).send(answer.body)
  })
  app.get<{ Params: Params }>('/api/collections/:name/series/:label/chart', async (request) =>
    chart(request.params.name, request.params.label, request.query as Query),
  )
  app.get<{ Params: Params }>('/api/collections/:name/chart', async (request) => {
    const query = request.query as Query
    return chart(request.params.name, query.label, query)
  })

  app.get('/api/datasets', async (_request, reply) => {
    const names = await repo.datasets.list()
    const datasets = (await Promise.all(names.map((name) => repo.datasets.describe(name)))).filter(
      (info) => info !== undefined,
    )
    // Index bounds may be bigints (timestamps, 64-bit ints): written as decimal text.
    const text = JSON.stringify({ datasets }, (_key, value) =>
      typeof value === 'bigint' ? value.toString() : value,
    )
    return reply.type('application/json').send(text)
  })
}
