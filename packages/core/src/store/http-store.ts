import { VarveError } from '../errors/varve-error.ts'
import { forEachLimited } from '../util/for-each-limited.ts'
import { parseServerCapabilities, SERVER_CAPABILITIES_PATH } from './http-capabilities.ts'
import {
  type FetchText,
  parseServerPage,
  parseStaticIndex,
  SERVER_LIST_PATH,
  STATIC_INDEX_NAME,
  walkStaticIndexes,
} from './http-listing.ts'
import { type HttpSendSettings, sendHttp } from './http-send.ts'
import {
  type HttpCall,
  httpNetworkError,
  httpResponseError,
  readOnlyStoreError,
} from './http-store-errors.ts'
import { validateKey, validatePrefix, validateRange } from './keys.ts'
import type { Store, StoreCapabilities, StoreOperation } from './store.ts'

/** How many DELETE requests run at once (one key per request). */
const DELETE_CONCURRENCY = 8

export interface HttpStoreOptions {
  /**
   * The repository's base URL: a Varve server's `http://host:port/repo`, or the folder of a
   * repository published as static files. It becomes the store's `description`, so it must
   * hold no credentials, query or fragment (`InvalidArgument`).
   */
  readonly url: string
  /**
   * The bearer token of a Varve server that allows writes. Without one the store is read-only:
   * `put`, `create` and `delete` throw `PermissionDenied` without sending anything. It is sent
   * on every request but a GET, never along a redirect, and only over `https:` unless the host
   * is this machine (`localhost`, `127.x.x.x`, `[::1]`): `InvalidArgument` otherwise.
   */
  readonly token?: string
  /**
   * Whether the server's creates are atomic (of racing creates of one key exactly one wins),
   * which becomes `capabilities.atomicCreate` when a token is given. A Varve server says so at
   * `<url>/.varve/capabilities`, which `openHttpStore` (the `http(s)://` scheme of `openStore`
   * and `Repo.open`) asks; give it here only if you know the server's store. Default false.
   */
  readonly atomicCreate?: boolean
  /**
   * How keys are listed: `'server'` asks a Varve server (`<url>/.varve/list`), `'static'` reads
   * the `.varve-index.json` file of each folder (docs/serving.md), `'auto'` (default) tries the
   * server on the first listing and falls back to the indexes.
   */
  readonly listing?: 'auto' | 'server' | 'static'
  /** Sends the requests; default the global `fetch` (add tracing or a proxy here). */
  readonly fetch?: typeof fetch
  /**
   * How often a request that got no answer, 429 or 503 is tried again (never a create), after
   * 0.1 s, 0.2 s, 0.4 s… with jitter, or the server's `Retry-After` up to 5 s. Default 3.
   */
  readonly retries?: number
  /** How long one request may take, its body included, before it counts as lost. Default 60 s. */
  readonly timeoutMs?: number
}

/**
 * A store over HTTP(S): objects are `GET <url>/<key>` (ranges with `Range`), listings come
 * from a Varve server or static index files, and writes (`PUT`, `PUT` with
 * `If-None-Match: *`, `DELETE`) go to a Varve server with the bearer token. Absent objects are
 * `undefined`; 401/403 are `PermissionDenied`, 429/5xx and network failures `Transient`, a
 * redirect of a request carrying the token `StoreFailure`. `capabilities.atomicCreate` is the
 * `atomicCreate` option (false by default; `openHttpStore` asks the server). Throws
 * `InvalidArgument` for a malformed URL, or a token with plain `http:` to another machine.
 */
export function createHttpStore(options: HttpStoreOptions): Store {
  const root = parseHttpUrl(options.url)
  const token = options.token
  if (token !== undefined) requireTls(root)
  const settings = sendSettings(options, token)
  const capabilities: StoreCapabilities = {
    atomicCreate: token !== undefined && options.atomicCreate === true,
    rangeRead: true,
  }
  let listing = options.listing ?? 'auto'
  let rootIndexSeen = false

  const urlOf = (path: string) => `${root}/${path}`
  const keyPath = (key: string) => key.split('/').map(encodeURIComponent).join('/')
  const call = (operation: StoreOperation, target: string, method: string, url: string): HttpCall => ({
    store: root,
    operation,
    target,
    method,
    url,
  })
  const send = (c: HttpCall, init?: RequestInit) => sendHttp(settings, c, init)

  async function bytes(c: HttpCall, response: Response): Promise<Uint8Array> {
    try {
      return new Uint8Array(await response.arrayBuffer())
    } catch (cause) {
      throw httpNetworkError(c, cause)
    }
  }

  const fetchText: FetchText = async (path, c) => {
    const response = await send({ ...c, url: urlOf(path) })
    if (response.status === 404) {
      await response.body?.cancel()
      return undefined
    }
    if (response.status !== 200) throw await httpResponseError({ ...c, url: urlOf(path) }, response)
    return new TextDecoder().decode(await bytes(c, response))
  }

  function writable(operation: StoreOperation, key: string): void {
    if (token === undefined) throw readOnlyStoreError(root, operation, key)
  }

  async function write(operation: 'put' | 'create', key: string, data: Uint8Array): Promise<void> {
    validateKey(key)
    writable(operation, key)
    const c = call(operation, key, 'PUT', urlOf(keyPath(key)))
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
    if (operation === 'create') headers['if-none-match'] = '*'
    const response = await send(c, { body: data, headers })
    if (!response.ok) throw await httpResponseError(c, response)
    await response.body?.cancel()
  }

  /** One page of a server listing; in `detect` mode, undefined when the host is no Varve server. */
  async function serverPage(prefix: string, after: string | undefined, detect: boolean) {
    const query = new URLSearchParams({ prefix })
    if (after !== undefined) query.set('after', after)
    const c = call('list', prefix, 'GET', urlOf(`${SERVER_LIST_PATH}?${query}`))
    const text = await fetchText(`${SERVER_LIST_PATH}?${query}`, c)
    if (text === undefined && detect) return undefined
    if (text === undefined) throw noListing(c)
    if (!detect) return parseServerPage(c, text)
    try {
      return parseServerPage(c, text)
    } catch {
      return undefined
    }
  }

  async function fetchIndex(prefix: string, folder: string): Promise<string[] | undefined> {
    const c = call('list', prefix, 'GET', urlOf(folder + STATIC_INDEX_NAME))
    const text = await fetchText(keyPath(folder + STATIC_INDEX_NAME), c)
    if (text !== undefined) {
      if (folder === '') rootIndexSeen = true
      return parseStaticIndex(c, text)
    }
    // A folder without an index holds nothing, but a base URL without a root index is no repository.
    if (folder === '') throw noListing(c)
    if (!rootIndexSeen) await fetchIndex(prefix, '')
    return undefined
  }

  return {
    description: root,
    capabilities,

    async get(key) {
      const c = call('get', validateKey(key), 'GET', urlOf(keyPath(key)))
      const response = await send(c)
      if (response.status === 404) {
        await response.body?.cancel()
        return undefined
      }
      if (response.status !== 200) throw await httpResponseError(c, response)
      return bytes(c, response)
    },

    async getRange(key, range) {
      validateRange(range)
      const c = call('getRange', validateKey(key), 'GET', urlOf(keyPath(key)))
      // `bytes=a-b` includes b, so zero bytes cannot be asked for: ask for one and keep none.
      const last = range.offset + Math.max(range.length, 1) - 1
      const response = await send(c, { headers: { range: `bytes=${range.offset}-${last}` } })
      switch (response.status) {
        case 206:
          return (await bytes(c, response)).subarray(0, range.length)
        case 200: // a host that ignores Range sends the whole object
          return (await bytes(c, response)).slice(range.offset, range.offset + range.length)
        case 416: // the object ends before the range starts
          await response.body?.cancel()
          return new Uint8Array(0)
        case 404:
          await response.body?.cancel()
          return undefined
        default:
          throw await httpResponseError(c, response)
      }
    },

    put: (key, data) => write('put', key, data),
    create: (key, data) => write('create', key, data),

    async *list(prefix) {
      validatePrefix(prefix)
      if (listing !== 'static') {
        // The first listing of an 'auto' store asks the server; a static host answers 404 (or a
        // page that is no listing), and the indexes are used from then on.
        let page = await serverPage(prefix, undefined, listing === 'auto')
        if (page !== undefined) {
          listing = 'server'
          for (;;) {
            yield* page.keys
            if (page.next === undefined) return
            page = (await serverPage(prefix, page.next, false))!
          }
        }
        listing = 'static'
      }
      yield* walkStaticIndexes((folder) => fetchIndex(prefix, folder), prefix)
    },

    async delete(keys) {
      for (const key of keys) validateKey(key)
      if (keys.length === 0) return
      writable('delete', keys[0] as string)
      await forEachLimited(keys, DELETE_CONCURRENCY, async (key) => {
        const c = call('delete', key, 'DELETE', urlOf(keyPath(key)))
        const response = await send(c)
        if (!response.ok && response.status !== 404) throw await httpResponseError(c, response)
        await response.body?.cancel()
      })
    },
  }
}

/**
 * The `http:` / `https:` scheme of `openStore`: `options` may hold the {@link HttpStoreOptions}
 * but `url`. With a token and no `atomicCreate` option it asks the server what its store
 * guarantees (`GET <url>/.varve/capabilities`); a host without that answer (404: a static host, an
 * older server) gets `atomicCreate: false`. Throws what a request of the store throws.
 */
export async function openHttpStore(
  uri: URL,
  options: Readonly<Record<string, unknown>> = {},
): Promise<Store> {
  const url = new URL(uri.href)
  // `http://host/repo#collection` names a collection for replicate(); the store is the repository.
  url.hash = ''
  const given: HttpStoreOptions = { ...(options as Partial<HttpStoreOptions>), url: url.href }
  const store = createHttpStore(given)
  if (given.token === undefined || given.atomicCreate !== undefined) return store
  const atomicCreate = await askAtomicCreate(store.description, given)
  return atomicCreate ? createHttpStore({ ...given, atomicCreate }) : store
}

async function askAtomicCreate(root: string, options: HttpStoreOptions): Promise<boolean> {
  const c: HttpCall = {
    store: root,
    operation: 'get',
    target: SERVER_CAPABILITIES_PATH,
    method: 'GET',
    url: `${root}/${SERVER_CAPABILITIES_PATH}`,
  }
  const response = await sendHttp(sendSettings(options, undefined), c)
  if (response.status === 404) {
    await response.body?.cancel()
    return false
  }
  if (response.status !== 200) throw await httpResponseError(c, response)
  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    throw httpNetworkError(c, cause)
  }
  return parseServerCapabilities(c, text).atomicCreate
}

function sendSettings(options: HttpStoreOptions, token: string | undefined): HttpSendSettings {
  return {
    fetch: options.fetch ?? globalThis.fetch,
    token,
    retries: options.retries ?? 3,
    timeoutMs: options.timeoutMs ?? 60_000,
  }
}

function parseHttpUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch (cause) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid URL ${JSON.stringify(value)}: give an absolute http(s) URL.`,
      {
        cause,
      },
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new VarveError(
      'InvalidArgument',
      'The repository URL holds credentials; pass a bearer token as the token option instead.',
    )
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new VarveError(
      'InvalidArgument',
      `Invalid repository URL ${JSON.stringify(value)}: give an http: or https: URL without query or fragment.`,
    )
  }
  return url.href.replace(/\/+$/, '')
}

// A bearer token over plain http can be read by anyone on the way; on this machine there is no way.
function requireTls(root: string): void {
  const url = new URL(root)
  if (url.protocol === 'https:' || isLoopback(url.hostname)) return
  throw new VarveError(
    'InvalidArgument',
    `${root} is plain http on another machine, where the token would travel readable: use https (a TLS-terminating proxy in front of the server, docs/serving.md), or leave the token out to read only.`,
  )
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

function noListing(c: HttpCall): VarveError {
  return new VarveError(
    'StoreFailure',
    `${c.store} has no listing (${c.url} is missing): point the URL at a Varve server's /repo, or publish ${STATIC_INDEX_NAME} files beside a static copy (docs/serving.md).`,
    { details: { prefix: c.target, operation: 'list' } },
  )
}
