import type { Repo, Store } from '@varve/core'
import Fastify, { type FastifyInstance } from 'fastify'
import { registerApiRoutes } from './api-routes.ts'
import { errorAnswer } from './http-status.ts'
import { registerObjectRoutes } from './object-routes.ts'
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENCY, type ServerOptions } from './options.ts'
import { registerViewerRoutes } from './viewer-routes.ts'

/** The Fastify app of a server: routes, body and concurrency limits, JSON logs, error answers. */
export function buildApp(repo: Repo, store: Store, options: ServerOptions): FastifyInstance {
  const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY
  const log = options.log ?? {}
  const app = Fastify({
    bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    requestTimeout: 120_000,
    // Collection names reach 128 characters and labels 1024, percent-encoded up to 9 bytes each.
    routerOptions: { maxParamLength: 16_384 },
    // Pino's request serializer logs method, url, host and peer, never headers; the redaction
    // covers any header a future serializer might add.
    logger:
      log === false
        ? false
        : {
            level: log.level ?? 'info',
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
            ...(log.stream ? { stream: log.stream } : {}),
          },
  })

  // Object bodies are bytes whatever their content type; the API takes no bodies.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  let inFlight = 0
  app.addHook('onRequest', async (request, reply) => {
    if (inFlight >= maxConcurrency) {
      request.log.warn({ inFlight }, 'too many requests at once')
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({
          error: {
            code: 'Transient',
            message: `The server handles ${maxConcurrency} requests at once; retry shortly.`,
          },
        })
    }
    inFlight++
    reply.raw.once('close', () => inFlight--)
    reply.header('x-content-type-options', 'nosniff')
  })

  app.setErrorHandler((error, request, reply) => {
    const answer = errorAnswer(error, request.id)
    const unauthenticated = (error as { details?: { httpStatus?: number } }).details?.httpStatus === 401
    const status = unauthenticated ? 401 : answer.status
    if (unauthenticated) reply.header('www-authenticate', 'Bearer')
    // The log line carries the request id (reqId) that a 5xx answer names in place of the message.
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ code: answer.body.error.code, status }, 'request refused')
    return reply.code(status).type('application/json').send(answer.body)
  })
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: 'NotFound', message: 'No such route.' } }),
  )

  registerViewerRoutes(app)
  registerApiRoutes(app, repo)
  registerObjectRoutes(app, store, options.token)
  return app
}
