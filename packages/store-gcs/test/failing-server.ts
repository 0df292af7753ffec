import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An HTTP server on 127.0.0.1 that answers every request as Cloud Storage answers a failure. */
export interface FailingServer {
  readonly endpoint: string
  /**
   * The status (and error reason) of the next answers; with `method`, only
   * requests of that method get it, the others 404 (no such object).
   */
  answer(status: number, reason: string, method?: string): void
  /** How many requests arrived. */
  readonly hits: () => number
  close(): Promise<void>
}

export async function startFailingServer(): Promise<FailingServer> {
  let status = 500
  let reason = 'backendError'
  let only: string | undefined
  let hits = 0
  const server = createServer((incoming, outgoing) => {
    hits++
    incoming.resume()
    incoming.once('end', () => {
      const [code, why] =
        only === undefined || incoming.method === only ? [status, reason] : [404, 'notFound']
      const message = `Injected ${code} (${why})`
      outgoing.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' })
      outgoing.end(JSON.stringify({ error: { code, message, errors: [{ reason: why, message }] } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    answer(nextStatus, nextReason, method) {
      status = nextStatus
      reason = nextReason
      only = method
    },
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
