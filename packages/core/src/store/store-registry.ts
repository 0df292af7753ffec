import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { VarveError } from '../errors/varve-error.ts'
import { openHttpStore } from './http-store.ts'
import { createMemoryStore } from './memory-store.ts'
import { redactLocation } from './redact-location.ts'
import type { Store } from './store.ts'

/** Options passed through to a store factory (region, endpoint, credentials' source, ...). */
export type StoreOpenOptions = Readonly<Record<string, unknown>>

/** Builds a store for a URI of its scheme. */
export type StoreFactory = (uri: URL, options: StoreOpenOptions) => Store | Promise<Store>

interface SchemeEntry {
  readonly factory?: StoreFactory
  /** The package that implements the scheme, loaded on first use. */
  readonly packageName?: string
  readonly exportName?: string
}

// One table maps schemes to stores. Packages load lazily, so core needs no cloud SDK
// and a scheme costs nothing until used.
const schemes = new Map<string, SchemeEntry>([
  ['memory', { factory: openMemory }],
  ['file', { packageName: '@varve/store-fs', exportName: 'openFsStore' }],
  ['s3', { packageName: '@varve/store-s3', exportName: 'openS3Store' }],
  ['gs', { packageName: '@varve/store-gcs', exportName: 'openGcsStore' }],
  ['az', { packageName: '@varve/store-azure', exportName: 'openAzureStore' }],
  ['http', { factory: openHttpStore }],
  ['https', { factory: openHttpStore }],
])

/** A package that implements a scheme, imported on first use: its named export is the factory. */
export interface LazyStoreFactory {
  readonly packageName: string
  readonly exportName: string
}

/**
 * Registers (or replaces) the store for a URI scheme, e.g.
 * `registerStoreScheme('blob', (uri) => createBlobStore({ baseUrl: ... }))`
 * makes `Repo.open('blob://host/repo')` use it. Pass `{ packageName, exportName }`
 * instead to import the package only when the scheme is first opened.
 */
export function registerStoreScheme(scheme: string, factory: StoreFactory | LazyStoreFactory): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid URI scheme ${JSON.stringify(scheme)}: use lowercase letters, digits, '+', '-' or '.'.`,
    )
  }
  schemes.set(scheme, typeof factory === 'function' ? { factory } : { ...factory })
}

/**
 * Opens the store a URI names: `memory://[name]`, a folder path (`./data`,
 * `/abs/path`) or `file:///abs/path`, `s3://bucket/prefix`, `gs://bucket/prefix`,
 * `az://account/container/prefix`, `http(s)://host/repo` (read-only without a `token`
 * option), or a registered scheme.
 */
export async function openStore(target: string, options: StoreOpenOptions = {}): Promise<Store> {
  const uri = toUrl(target)
  const scheme = uri.protocol.slice(0, -1)
  const entry = schemes.get(scheme)
  if (entry === undefined) {
    throw new VarveError(
      'Unsupported',
      `No store is registered for "${scheme}://" (in ${redactLocation(target)}). Known schemes: ${[...schemes.keys()].join(', ')}; add one with registerStoreScheme().`,
    )
  }
  if (entry.factory) return entry.factory(uri, options)
  const factory = await loadFactory(entry)
  return factory(uri, options)
}

function toUrl(target: string): URL {
  if (typeof target !== 'string' || target.length === 0) {
    throw new VarveError(
      'InvalidArgument',
      'A repository location must be a non-empty string: a folder path or a URI such as s3://bucket/prefix.',
    )
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(target)) {
    try {
      return new URL(target)
    } catch (cause) {
      throw new VarveError('InvalidArgument', `Invalid repository URI ${redactLocation(target)}.`, { cause })
    }
  }
  return pathToFileURL(isAbsolute(target) ? target : resolve(target))
}

async function loadFactory(entry: SchemeEntry): Promise<StoreFactory> {
  const name = entry.packageName!
  let module: Record<string, unknown>
  try {
    module = (await import(name)) as Record<string, unknown>
  } catch (cause) {
    throw new VarveError(
      'Unsupported',
      `Opening this URI needs the package ${name}: install it next to @varve/core (npm i ${name}).`,
      { cause },
    )
  }
  const factory = module[entry.exportName!]
  if (typeof factory !== 'function') {
    throw new VarveError(
      'Unsupported',
      `${name} does not export ${entry.exportName}; install a version that matches @varve/core.`,
    )
  }
  return factory as StoreFactory
}

const memoryStores = new Map<string, Store>()

/** `memory://` is a fresh store; `memory://name` is shared by every open of that name in this process. */
function openMemory(uri: URL): Store {
  const name = uri.host + uri.pathname.replace(/\/+$/, '')
  if (name === '') return createMemoryStore()
  let store = memoryStores.get(name)
  if (store === undefined) {
    store = createMemoryStore({ description: `memory://${name}` })
    memoryStores.set(name, store)
  }
  return store
}

/** The folder a `file:` URL names. */
export function folderOf(uri: URL): string {
  return fileURLToPath(uri)
}
