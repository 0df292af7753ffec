import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The most keys one `GET /list` answers with, whatever `limit` asks. */
export const MAX_LIST_PAGE = 500

/** A running blob service; `url` is its base URL, e.g. `http://127.0.0.1:41234`. */
export interface BlobServer {
  readonly url: string
  close(): Promise<void>
}

/**
 * Starts an in-process HTTP blob service on 127.0.0.1, on a free port. It plays
 * "your company's blob service" for the example store; objects live in memory.
 *
 * - `PUT /o/<key>` stores the body (201). With `If-None-Match: *` it answers 412
 *   when the key exists instead; check and write happen in one turn of the event
 *   loop, so of concurrent creates exactly one wins.
 * - `GET /o/<key>` answers the bytes, 404 when absent; `Range: bytes=a-b` gives
 *   206, or 416 when `a` lies past the end.
 * - `DELETE /o/<key>` answers 204, also when the key is absent.
 * - `GET /list?prefix=&cursor=&limit=` answers `{ keys, next? }`: keys sorted by
 *   their UTF-8 bytes, at most {@link MAX_LIST_PAGE}; pass `next` back as `cursor`.
 *
 * `<key>` is percent-encoded (`encodeURIComponent`, so '/' travels as `%2F`).
 */
export async function startBlobServer(): Promise<BlobServer> {
  const objects = new Map<string, Buffer>()

  const server = createServer((req, res) => {
    handle(objects, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

async function handle(
  objects: Map<string, Buffer>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')

  if (req.method === 'GET' && url.pathname === '/list') {
    const prefix = url.searchParams.get('prefix') ?? ''
    const cursor = url.searchParams.get('cursor')
    const asked = Number(url.searchParams.get('limit'))
    const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_LIST_PAGE) : MAX_LIST_PAGE
    const after = cursor === null ? undefined : Buffer.from(cursor)
    const matching = [...objects.keys()]
      .filter((key) => key.startsWith(prefix))
      .map((key) => ({ key, bytes: Buffer.from(key) }))
      .filter(({ bytes }) => after === undefined || Buffer.compare(bytes, after) > 0)
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    const keys = matching.slice(0, limit).map(({ key }) => key)
    const next = matching.length > keys.length ? keys.at(-1) : undefined
    return send(res, 200, JSON.stringify({ keys, next }), { 'content-type': 'application/json' })
  }

  if (!url.pathname.startsWith('/o/')) return send(res, 404, 'no such route')
  let key: string
  try {
    key = decodeURIComponent(url.pathname.slice('/o/'.length))
  } catch {
    return send(res, 400, 'malformed percent-encoding in the key')
  }
  if (key === '') return send(res, 400, 'empty key')

  switch (req.method) {
    case 'PUT': {
      const body = await readBody(req)
      // No await between this check and the set: the pair is atomic in this process.
      if (req.headers['if-none-match'] === '*' && objects.has(key)) return send(res, 412, 'key exists')
      objects.set(key, body)
      return send(res, 201)
    }
    case 'GET': {
      const object = objects.get(key)
      if (object === undefined) return send(res, 404, 'no such key')
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
      if (range === null) return send(res, 200, object)
      const first = Number(range[1])
      const last = Math.min(range[2] ? Number(range[2]) : Number.POSITIVE_INFINITY, object.length - 1)
      if (first >= object.length) return send(res, 416, '', { 'content-range': `bytes */${object.length}` })
      // An inverted range is malformed; RFC 9110 §14.2 says to ignore it and answer the whole object.
      if (last < first) return send(res, 200, object)
      return send(res, 206, object.subarray(first, last + 1), {
        'content-range': `bytes ${first}-${last}/${object.length}`,
      })
    }
    case 'DELETE':
      objects.delete(key)
      return send(res, 204)
    default:
      return send(res, 405, 'method not allowed')
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array = '',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, headers)
  res.end(body)
}
