import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, normalize, sep } from 'node:path'

/**
 * A plain static file server over `folder` (as any web host is): GET of a file, 404 otherwise,
 * one `Range: bytes=a-b` unless `ranges` is false (then the whole file, as some hosts do).
 */
export async function startStaticServer(
  folder: string,
  options: { ranges?: boolean } = {},
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = []
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    requests.push(path)
    const file = normalize(join(folder, path))
    if (!file.startsWith(folder + sep)) return void res.writeHead(403).end()
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch {
      return void res.writeHead(404).end('not found')
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')
    if (range && options.ranges !== false) {
      const first = Number(range[1])
      if (first >= bytes.length) return void res.writeHead(416).end()
      const last = Math.min(Number(range[2]), bytes.length - 1)
      res.writeHead(206, { 'content-range': `bytes ${first}-${last}/${bytes.length}` })
      return void res.end(bytes.subarray(first, last + 1))
    }
    res.writeHead(200).end(bytes)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
