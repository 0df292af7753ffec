// The walk-through of docs/writing-a-store.md, deliberately standalone: core's http store
// (packages/core/src/store/http-store.ts) is much alike, but this copy keeps the guide's example whole.
import {
  type Store,
  type StoreCapabilities,
  VarveError,
  validateKey,
  validatePrefix,
  validateRange,
} from '@varve/core'
import { type HttpCall, networkError, responseError } from './http-errors.ts'

/** How many DELETE requests run at once: the service deletes one key per request. */
const DELETE_CONCURRENCY = 8

export interface HttpBlobStoreOptions {
  /**
   * The service's base URL, e.g. `https://blobs.internal.example.com/v1`. It becomes the
   * store's `description`, so it must not hold credentials (`InvalidArgument` if it does).
   */
  readonly baseUrl: string
  /** Sends the requests; defaults to the global `fetch`. Pass your own to add auth headers, tracing or a proxy. */
  readonly fetch?: typeof fetch
}

/**
 * A store over the example HTTP blob service (see `blob-server.ts` for its protocol).
 * Creates are atomic (`If-None-Match: *`, decided by the service) and ranges are read
 * with `Range` headers. Throws `InvalidArgument` for a malformed `baseUrl`.
 */
export function createHttpBlobStore(options: HttpBlobStoreOptions): Store {
  const root = parseBaseUrl(options.baseUrl)
  const fetchImpl = options.fetch ?? globalThis.fetch
  const capabilities: StoreCapabilities = { atomicCreate: true, rangeRead: true }
  const objectUrl = (key: string) => `${root}/o/${encodeURIComponent(key)}`

  function httpCall(operation: HttpCall['operation'], target: string, method: string, url: string): HttpCall {
    return { store: root, operation, target, method, url }
  }

  async function send(call: HttpCall, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetchImpl(call.url, { ...init, method: call.method })
    } catch (cause) {
      throw networkError(call, cause)
    }
  }

  async function bytes(call: HttpCall, response: Response): Promise<Uint8Array> {
    try {
      return new Uint8Array(await response.arrayBuffer())
    } catch (cause) {
      throw networkError(call, cause)
    }
  }

  async function deleteOne(key: string): Promise<void> {
    const call = httpCall('delete', key, 'DELETE', objectUrl(key))
    const response = await send(call)
    // A service may call deleting an absent key 404; it is gone either way, as the contract wants.
    if (!response.ok && response.status !== 404) throw await responseError(call, response)
    await response.body?.cancel()
  }

  return {
    description: root,
    capabilities,

    async get(key) {
      const call = httpCall('get', validateKey(key), 'GET', objectUrl(key))
      const response = await send(call)
      if (response.status === 404) {
        await response.body?.cancel()
        return undefined
      }
      if (response.status !== 200) throw await responseError(call, response)
      return bytes(call, response)
    },

    async getRange(key, range) {
      validateRange(range)
      const call = httpCall('getRange', validateKey(key), 'GET', objectUrl(key))
      // `bytes=a-b` includes b, so zero bytes cannot be asked for: ask for one and keep none.
      const last = range.offset + Math.max(range.length, 1) - 1
      const response = await send(call, { headers: { range: `bytes=${range.offset}-${last}` } })
      switch (response.status) {
        case 206:
          return (await bytes(call, response)).subarray(0, range.length)
        case 200: // the service ignored the Range header and sent the whole object
          return (await bytes(call, response)).slice(range.offset, range.offset + range.length)
        case 416: // the object exists but ends before the range starts
          await response.body?.cancel()
          return new Uint8Array(0)
        case 404:
          await response.body?.cancel()
          return undefined
        default:
          throw await responseError(call, response)
      }
    },

    async put(key, data) {
      const call = httpCall('put', validateKey(key), 'PUT', objectUrl(key))
      const response = await send(call, { body: data })
      if (!response.ok) throw await responseError(call, response)
      await response.body?.cancel()
    },

    async create(key, data) {
      const call = httpCall('create', validateKey(key), 'PUT', objectUrl(key))
      const response = await send(call, { body: data, headers: { 'if-none-match': '*' } })
      if (!response.ok) throw await responseError(call, response)
      await response.body?.cancel()
    },

    async *list(prefix) {
      validatePrefix(prefix)
      let cursor: string | undefined
      do {
        const query = new URLSearchParams({ prefix })
        if (cursor !== undefined) query.set('cursor', cursor)
        const call = httpCall('list', prefix, 'GET', `${root}/list?${query}`)
        const response = await send(call)
        if (response.status !== 200) throw await responseError(call, response)
        const page = parsePage(call, new TextDecoder().decode(await bytes(call, response)))
        yield* page.keys
        cursor = page.next
      } while (cursor !== undefined)
    },

    async delete(keys) {
      for (const key of keys) validateKey(key)
      // A few workers share one queue; after a failure no new request starts, and
      // the first failure is thrown once the requests in flight have settled.
      let next = 0
      const failures: unknown[] = []
      const worker = async () => {
        while (failures.length === 0 && next < keys.length) {
          const key = keys[next++] as string
          await deleteOne(key).catch((error: unknown) => failures.push(error))
        }
      }
      await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker))
      if (failures.length > 0) throw failures[0]
    },
  }
}

function parseBaseUrl(baseUrl: string): string {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch (cause) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid baseUrl ${JSON.stringify(baseUrl)}: give an absolute http(s) URL.`,
      {
        cause,
      },
    )
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new VarveError(
      'InvalidArgument',
      `Invalid baseUrl ${JSON.stringify(baseUrl)}: give an http: or https: URL without query or fragment.`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new VarveError(
      'InvalidArgument',
      'The baseUrl holds credentials; send them from your own fetch (e.g. an Authorization header) instead.',
    )
  }
  return url.href.replace(/\/+$/, '')
}

function parsePage(call: HttpCall, text: string): { keys: string[]; next?: string } {
  let page: unknown
  try {
    page = JSON.parse(text)
  } catch (cause) {
    throw new VarveError(
      'StoreFailure',
      `The blob service ${call.store} answered a listing that is not JSON.`,
      { cause },
    )
  }
  const { keys, next } = (page ?? {}) as { keys?: unknown; next?: unknown }
  const keysOk = Array.isArray(keys) && keys.every((key) => typeof key === 'string')
  if (!keysOk || (next != null && typeof next !== 'string')) {
    throw new VarveError(
      'StoreFailure',
      `The blob service ${call.store} answered a listing without { keys: string[], next?: string }: ${text.slice(0, 200)}`,
    )
  }
  return { keys, next: next ?? undefined }
}
