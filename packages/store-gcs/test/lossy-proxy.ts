import { createServer, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does to the next request a rule matches. */
export interface Loss {
  /** Which request: e.g. `(r) => r.method === 'POST' && r.url.startsWith('/upload/')`. */
  readonly matches: (request: { method: string; url: string }) => boolean
  /**
   * `'request'`: the request never reaches the server (the connection is cut);
   * `'response'`: the server handles it, then the connection is cut before the client hears back.
   */
  readonly drop: 'request' | 'response'
  /** Runs before the connection is cut (e.g. another writer's write). */
  readonly meanwhile?: () => Promise<void>
}

/** An HTTP proxy on 127.0.0.1 in front of a server, that records requests and loses chosen ones. */
export interface LossyProxy {
  readonly endpoint: string
  /** `METHOD path?query` of every request seen, in order. */
  readonly requests: string[]
  /** The most requests that were in flight at once since the last {@link resetPeak}. */
  readonly peakInFlight: () => number
  resetPeak(): void
  /** Loses the next request matching `loss` (once). */
  lose(loss: Loss): void
  close(): Promise<void>
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  const upstream = new URL(target)
  const requests: string[] = []
  const losses: Loss[] = []
  let inFlight = 0
  let peak = 0

  const server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET'
    const url = incoming.url ?? '/'
    requests.push(`${method} ${url}`)
    inFlight++
    peak = Math.max(peak, inFlight)
    outgoing.once('close', () => inFlight--)
    const index = losses.findIndex((loss) => loss.matches({ method, url }))
    const loss = index === -1 ? undefined : losses.splice(index, 1)[0]
    const cut = async () => {
      await loss?.meanwhile?.()
      incoming.socket.destroy()
    }
    if (loss?.drop === 'request') {
      incoming.resume()
      void cut()
      return
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method, path: url, headers: incoming.headers },
      (answer: IncomingMessage) => {
        if (loss?.drop === 'response') {
          answer.resume()
          answer.once('end', () => void cut())
          return
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    forwarded.once('error', () => incoming.socket.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    peakInFlight: () => peak,
    resetPeak: () => {
      peak = inFlight
    },
    lose: (loss) => losses.push(loss),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
