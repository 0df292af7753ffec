import { once } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'

/** A fault to inject into the next requests whose first line (`PUT /bucket/key?… HTTP/1.1`) matches. */
export interface ProxyFault {
  readonly match: RegExp
  /** How many matching requests it hits. */
  readonly times: number
  /**
   * `'reset'`: cut the connection before the request reaches the server (it never happens).
   * `'lose-response'`: forward the request, let the server carry it out, then cut the
   * connection instead of passing the response on (the client cannot know it happened).
   */
  readonly kind: 'reset' | 'lose-response'
}

/** A TCP proxy in front of a real server that cuts chosen requests: real network failures, no SDK mocks. */
export interface FlakyProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string
  inject(fault: ProxyFault): void
  /** The request lines each fault hit, in order. */
  readonly hits: string[]
  close(): Promise<void>
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const { hostname, port } = new URL(target)
  const faults: { fault: ProxyFault; left: number }[] = []
  const hits: string[] = []
  const sockets = new Set<Socket>()

  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    sockets.add(client).add(upstream)
    let loseNextResponse = false
    const cut = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('data', (chunk: Buffer) => {
      const line = /^[A-Z]+ \S+ HTTP\/1\.1/.exec(chunk.toString('latin1', 0, 2048))?.[0]
      const entry =
        line === undefined ? undefined : faults.find((f) => f.left > 0 && f.fault.match.test(line))
      if (entry !== undefined && line !== undefined) {
        entry.left--
        hits.push(line)
        if (entry.fault.kind === 'reset') return cut()
        loseNextResponse = true
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (loseNextResponse) return cut()
      client.write(chunk)
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
    for (const socket of [client, upstream]) {
      socket.on('error', cut)
      socket.on('close', () => {
        sockets.delete(socket)
        cut()
      })
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy did not bind a TCP port')
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    hits,
    inject(fault) {
      faults.push({ fault, left: fault.times })
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}
