import { request } from 'node:http'

export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

/** Sends a request with the path exactly as given (no URL normalisation, unlike fetch). */
export function rawRequest(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<RawAnswer> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * Sends the headers of a request declaring a `declaredBytes` body, then only `sentBytes` of it,
 * and resolves with the answer if one comes within `waitMs` (undefined if none does). The
 * request is then destroyed, its body never finished.
 */
export function partialRequest(
  base: string,
  path: string,
  options: { method: string; headers?: Record<string, string>; declaredBytes: number; sentBytes: number },
  waitMs = 2000,
): Promise<RawAnswer | undefined> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers, 'content-length': String(options.declaredBytes) }
    const req = request({ host: url.hostname, port: url.port, path, method: options.method, headers })
    const timer = setTimeout(() => {
      req.destroy()
      resolve(undefined)
    }, waitMs)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        clearTimeout(timer)
        req.destroy()
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
      })
    })
    // The server closing the connection while the body is unsent is what a refusal may do.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error)
    })
    req.write(Buffer.alloc(options.sentBytes))
  })
}
