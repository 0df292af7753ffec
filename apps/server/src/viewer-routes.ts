import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public')
const uplotDir = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist')

// A fixed table, no path from the request ever reaches the file system.
const assets: Record<string, { file: string; type: string }> = {
  '/': { file: join(publicDir, 'index.html'), type: 'text/html; charset=utf-8' },
  '/viewer/viewer.js': { file: join(publicDir, 'viewer.js'), type: 'text/javascript; charset=utf-8' },
  '/viewer/changelog-graph.js': {
    file: join(publicDir, 'changelog-graph.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/viewer/viewer.css': { file: join(publicDir, 'viewer.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': {
    file: join(uplotDir, 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/uPlot.min.css': { file: join(uplotDir, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
}

/** The web viewer: static files from `public/` and uPlot from its package, no build step. */
export function registerViewerRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>()
  for (const [path, asset] of Object.entries(assets)) {
    app.get(path, async (_request, reply) => {
      let bytes = cache.get(path)
      if (bytes === undefined) {
        bytes = await readFile(asset.file)
        cache.set(path, bytes)
      }
      reply.header(
        'content-security-policy',
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      )
      return reply.type(asset.type).send(bytes)
    })
  }
}
