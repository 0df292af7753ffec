import { createServer, type IncomingMessage, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does with one request. */
export type ProxyAction =
  /** Pass it to the server and the answer back. */
  | 'forward'
  /** Pass it to the server, let it complete there, then cut the client's connection: a lost response. */
  | 'lose-response'
  /** Cut the connection without passing it on. */
  | 'reset'
  /** Never answer. */
  | 'hang'
  /** Answer with this status and Azure error code instead of passing it on. */
  | { readonly status: number; readonly code: string }
  /** Run this first (e.g. a competing write), then pass it on. */
  | { readonly before: () => Promise<void> }

export interface SeenRequest {
  readonly method: string
  /** The path and query, decoded. */
  readonly url: string
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT/devstoreaccount1`: the account endpoint through the proxy. */
  readonly endpoint: string
  /** Every request, in arrival order. */
  readonly seen: SeenRequest[]
  /** Decides what to do with each request; `forward` by default. */
  rule: (request: SeenRequest) => ProxyAction
  close(): Promise<void>
}

/**
 * An HTTP proxy in front of Azurite that injects network faults: the SDK talks
 * to the real server through it, and the test decides which requests fail how.
 */
export async function startFaultProxy(target: { port: number }, account: string): Promise<FaultProxy> {
  const seen: SeenRequest[] = []
  let rule: FaultProxy['rule'] = () => 'forward'
  const server: Server = createServer(async (incoming, outgoing) => {
    const info = { method: incoming.method ?? 'GET', url: decodeURIComponent(incoming.url ?? '/') }
    seen.push(info)
    const action = rule(info)
    if (action === 'hang') return
    if (action === 'reset') {
      incoming.socket.destroy()
      return
    }
    if (typeof action === 'object' && 'status' in action) {
      incoming.resume()
      outgoing.writeHead(action.status, { 'content-type': 'application/xml', 'x-ms-error-code': action.code })
      outgoing.end(
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${action.code}</Code><Message>Injected by the test proxy.</Message></Error>`,
      )
      return
    }
    const body = await readAll(incoming)
    if (typeof action === 'object') await action.before()
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        if (action === 'lose-response') {
          answer.resume()
          answer.once('end', () => incoming.socket.destroy())
          return
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    upstream.once('error', () => incoming.socket.destroy())
    upstream.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}/${account}`,
    seen,
    get rule() {
      return rule
    },
    set rule(next) {
      rule = next
    },
    close() {
      // Hanging requests and kept-alive sockets must not keep close() waiting.
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
