import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { VarveError } from '../errors/varve-error.ts'
import { redactLocation } from '../store/redact-location.ts'
import type { Store } from '../store/store.ts'

/**
 * A collection in some repository: `<store-uri>#<collection>` (`gs://bucket/hub#sales`,
 * `./data#sales`, `file:///abs/data#sales`, `memory://hub#sales`), or, where the
 * store is an object (tests, a client built by hand), the store (or an open
 * `Repo`) and the collection's name. A store object is recorded by its
 * `description`, which must then be a URI that opens it again elsewhere, and
 * (being recorded) one without credentials.
 */
export type CollectionUri =
  | string
  | { readonly store: Store | { readonly store: Store }; readonly collection: string }

/** A collection URI checked and put in the form recorded in links. */
export interface ParsedCollectionUri {
  /** `<store-uri>#<collection>`, with a folder path made absolute (`file:///…`). */
  readonly uri: string
  /** The repository part: what `openStore` opens. */
  readonly storeUri: string
  readonly collection: string
  /** The store object given, if any (used as is instead of opening `storeUri`). */
  readonly store?: Store
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//
const EXAMPLE = "'s3://bucket/hub#temperature' (or './data#temperature')"

/**
 * Checks a collection URI and returns its recorded form. Throws
 * `InvalidArgument` (the message shows a valid example) for a missing or bad
 * `#<collection>`, an empty repository part, a URI that is not one, a
 * `memory://` without a name (a fresh store each time: nothing to share), or a
 * URI carrying credentials (user info, a query such as a SAS token): links are
 * stored in repositories, so credentials must come from the environment. A
 * store object whose `description` is a URI carrying them is refused alike.
 */
export function parseCollectionUri(input: CollectionUri, what = 'collection URI'): ParsedCollectionUri {
  if (typeof input === 'object' && input !== null) return parseObject(input, what)
  if (typeof input !== 'string' || input.length === 0) {
    throw invalid(`A ${what} must be a string such as ${EXAMPLE}, got ${describe(input)}.`)
  }
  const hash = input.lastIndexOf('#')
  if (hash < 0) {
    throw invalid(
      `The ${what} ${JSON.stringify(redactLocation(input))} names no collection: add '#<collection>', e.g. ${EXAMPLE}.`,
    )
  }
  const location = input.slice(0, hash)
  const collection = checkName(input.slice(hash + 1), input, what)
  if (location.length === 0) {
    throw invalid(
      `The ${what} ${JSON.stringify(redactLocation(input))} names no repository before '#': write it as ${EXAMPLE}.`,
    )
  }
  const storeUri = SCHEME.test(location) ? checkUrl(location, what) : folderUri(location)
  return { uri: `${storeUri}#${collection}`, storeUri, collection }
}

/** A URI as recorded in a link (checked when it was recorded): split at its last '#'. */
export function parseRecordedUri(uri: string): ParsedCollectionUri {
  const hash = uri.lastIndexOf('#')
  return { uri, storeUri: uri.slice(0, hash), collection: uri.slice(hash + 1) }
}

function parseObject(
  input: { readonly store?: unknown; readonly collection?: unknown },
  what: string,
): ParsedCollectionUri {
  const holder = input.store as { store?: unknown } | undefined
  const store = (
    holder !== null && typeof holder === 'object' && 'store' in holder ? holder.store : holder
  ) as Store | undefined
  if (store === null || typeof store !== 'object' || typeof store.list !== 'function') {
    throw invalid(
      `A ${what} given as an object needs { store, collection } with a Store (or an open Repo) as store, e.g. { store: createMemoryStore(), collection: 'temperature' }; or pass a URI such as ${EXAMPLE}.`,
    )
  }
  const storeUri = store.description
  const collection = checkName(input.collection, `${storeUri}#${String(input.collection)}`, what)
  if (typeof storeUri === 'string' && carriesCredentials(storeUri)) {
    throw invalid(
      `The store given for the ${what} describes itself as ${JSON.stringify(redactLocation(storeUri))} plus credentials or a query; links are recorded by a store's description and stored in repositories, so give the store a description without them (the URI that opens it, e.g. 's3://bucket/hub') and let it take credentials from its SDK's environment.`,
    )
  }
  return { uri: `${storeUri}#${collection}`, storeUri, collection, store }
}

function checkName(name: unknown, input: string, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(
      `The ${what} ${JSON.stringify(redactLocation(input))} has an invalid collection name ${JSON.stringify(name)} after '#': use 1 to 128 letters, digits, '_' or '-', starting with a letter or digit, e.g. ${EXAMPLE}.`,
    )
  }
  return name
}

function checkUrl(location: string, what: string): string {
  let url: URL
  try {
    url = new URL(location)
  } catch (cause) {
    throw invalid(
      `The ${what} ${JSON.stringify(redactLocation(location))} is not a valid URI; e.g. ${EXAMPLE}.`,
      cause,
    )
  }
  if (carriesCredentials(location)) {
    throw invalid(
      `The ${what} for ${redactLocation(location)} carries credentials or a query; links are stored in repositories, so write it without them (e.g. ${EXAMPLE}) and let the store take credentials from its SDK's environment.`,
    )
  }
  if (url.protocol === 'memory:' && url.host + url.pathname.replace(/\/+$/, '') === '') {
    throw invalid(
      `The ${what} ${JSON.stringify(location)} names a fresh in-memory store that nobody else can reach; name it (memory://hub#temperature) or pass { store, collection }.`,
    )
  }
  return location
}

function folderUri(path: string): string {
  return pathToFileURL(isAbsolute(path) ? path : resolve(path)).href
}

/** Whether a URI holds user info or a query (where credentials hide); checked for strings and store descriptions alike. */
function carriesCredentials(location: string): boolean {
  return redactLocation(location) !== location
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined' : typeof value === 'string' ? '""' : typeof value
}

function invalid(message: string, cause?: unknown): VarveError {
  return new VarveError('InvalidArgument', message, cause === undefined ? {} : { cause })
}
