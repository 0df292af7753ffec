import { SERVER_CAPABILITIES_PATH, SERVER_LIST_PATH, type Store, VarveError } from '@varve/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { bearerMatches } from './bearer-token.ts'
import { badRequest } from './http-status.ts'
import { ListCursors } from './list-cursors.ts'
import { REPO_MOUNT } from './options.ts'
import { keyFromPath, prefixFromQuery } from './request-key.ts'

/** The most keys one listing page holds. */
export const MAX_LIST_PAGE = 1000

/**
 * The object endpoints an http(s) store uses, under `/repo/`: `GET` (with one `Range`),
 * `GET .varve/list?prefix=&after=&limit=`, `GET .varve/capabilities` (`{ atomicCreate }` of the
 * store), and, with the bearer token, `PUT` (create-only with `If-None-Match: *`) and `DELETE`.
 * The token is checked when the request's headers arrive, before any of its body is read.
 */
export function registerObjectRoutes(app: FastifyInstance, store: Store, token: string | undefined): void {
  const cursors = new ListCursors()
  app.addHook('onClose', async () => cursors.close())
  app.get(`${REPO_MOUNT}${SERVER_LIST_PATH}`, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const prefix = prefixFromQuery(query.prefix)
    const after = typeof query.after === 'string' ? query.after : undefined
    const limit = pageLimit(query.limit)
    const { keys, next } = await cursors.page(store, prefix, after, limit)
    reply.header('cache-control', 'no-cache')
    return next === undefined ? { keys } : { keys, next }
  })

  app.get(`${REPO_MOUNT}${SERVER_CAPABILITIES_PATH}`, async (_request, reply) => {
    reply.header('cache-control', 'no-cache')
    return { atomicCreate: store.capabilities.atomicCreate }
  })

  app.get(`${REPO_MOUNT}*`, async (request, reply) => {
    const key = keyFromPath(request.raw.url ?? '', REPO_MOUNT)
    // Content-addressed objects never change; everything else (revisions come and go) is revalidated.
    reply.header(
      'cache-control',
      key.startsWith('objects/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    )
    reply.header('accept-ranges', 'bytes')
    reply.type('application/octet-stream')
    const range = parseRange(request.headers.range)
    if (range === undefined) {
      const bytes = await store.get(key)
      if (bytes === undefined) return notFound(reply, key)
      return reply.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    }
    const bytes = store.capabilities.rangeRead
      ? await store.getRange(key, range)
      : (await store.get(key))?.slice(range.offset, range.offset + range.length)
    if (bytes === undefined) return notFound(reply, key)
    if (bytes.length === 0) {
      return reply.code(416).header('content-range', 'bytes */*').send(Buffer.alloc(0))
    }
    reply.code(206).header('content-range', `bytes ${range.offset}-${range.offset + bytes.length - 1}/*`)
    return reply.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  })

  // Fastify reads a body before the handler runs, so a write is refused in onRequest, and the
  // connection is closed rather than drained: a client without the token sends no more bytes.
  const authorized: onRequestAsyncHookHandler = async (request, reply) => {
    try {
      authorize(request, token)
    } catch (error) {
      reply.header('connection', 'close')
      throw error
    }
  }

  app.put(`${REPO_MOUNT}*`, { onRequest: authorized }, async (request, reply) => {
    const key = keyFromPath(request.raw.url ?? '', REPO_MOUNT)
    const body = request.body
    const bytes = body === undefined || body === null ? new Uint8Array(0) : new Uint8Array(body as Buffer)
    if (request.headers['if-none-match'] === '*') await store.create(key, bytes)
    else if (request.headers['if-none-match'] !== undefined)
      throw badRequest('Only If-None-Match: * is supported.')
    else await store.put(key, bytes)
    return reply.code(201).send()
  })

  app.delete(`${REPO_MOUNT}*`, { onRequest: authorized }, async (request, reply) => {
    await store.delete([keyFromPath(request.raw.url ?? '', REPO_MOUNT)])
    return reply.code(204).send()
  })
}

function authorize(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    throw new VarveError(
      'PermissionDenied',
      'This server is read-only: start it with a token to accept writes.',
    )
  }
  if (!bearerMatches(request.headers.authorization, token)) {
    throw new VarveError(
      'PermissionDenied',
      'Writes need the header Authorization: Bearer <the server token>.',
      {
        details: { httpStatus: 401 },
      },
    )
  }
}

function notFound(reply: FastifyReply, key: string): FastifyReply {
  reply.header('cache-control', 'no-cache')
  return reply
    .code(404)
    .type('application/json')
    .send({ error: { code: 'NotFound', message: `No object ${JSON.stringify(key)}.` } })
}

function pageLimit(value: unknown): number {
  const asked = Number(value)
  return Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, MAX_LIST_PAGE) : MAX_LIST_PAGE
}

/** One range, `bytes=a-b`, `bytes=a-` or `bytes=-n` (suffix ranges need the size, which stores do not give: refused). */
function parseRange(header: string | undefined): { offset: number; length: number } | undefined {
  if (header === undefined) return undefined
  const match = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim())
  if (!match) throw badRequest('Give one Range of the form bytes=first-last or bytes=first-.')
  const first = Number(match[1])
  const last = match[2] === '' ? Number.MAX_SAFE_INTEGER - 1 : Number(match[2])
  if (last < first) throw badRequest('The Range ends before it starts.')
  return { offset: first, length: Math.min(last - first + 1, Number.MAX_SAFE_INTEGER - first) }
}
