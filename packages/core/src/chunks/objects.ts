import { VarveError } from '../errors/varve-error.ts'
import { getReadOnly } from '../store/cached-store.ts'
import type { ByteRange, Store } from '../store/store.ts'
import { sha256Hex } from './hash.ts'

/**
 * Content-addressed objects: chunks and metadata nodes live under the SHA-256
 * of their bytes, so identical content is stored once, an object is never
 * rewritten, and every read can be verified against its key.
 */
export const OBJECTS_PREFIX = 'objects/'

export function objectKey(hash: string): string {
  return `${OBJECTS_PREFIX}${hash.slice(0, 2)}/${hash.slice(2)}`
}

export function hashFromObjectKey(key: string): string | undefined {
  const match = /^objects\/([0-9a-f]{2})\/([0-9a-f]{62})$/.exec(key)
  return match ? match[1]! + match[2]! : undefined
}

/**
 * Reads an object and checks its bytes against its hash. Missing is `NotFound`: a repository never references absent objects.
 * With `readOnly`, the caller promises never to modify the bytes, which may then be a memory cache's own (see `getReadOnly`).
 */
export async function getObject(
  store: Store,
  hash: string,
  options: { readOnly?: boolean } = {},
): Promise<Uint8Array> {
  const key = objectKey(hash)
  const bytes = await (options.readOnly ? getReadOnly(store, key) : store.get(key))
  if (bytes === undefined) throw missingObject(store, key)
  if (sha256Hex(bytes) !== hash) {
    throw new VarveError(
      'Integrity',
      `Object ${key} in ${store.description} is corrupted or truncated: its bytes do not match their hash.`,
      {
        details: { key },
      },
    )
  }
  return bytes
}

/** Reads a byte range of an object; the caller verifies it against a hash it trusts (a page's). */
export async function getObjectRange(store: Store, hash: string, range: ByteRange): Promise<Uint8Array> {
  const key = objectKey(hash)
  const bytes = await store.getRange(key, range)
  if (bytes === undefined) throw missingObject(store, key)
  if (bytes.length !== range.length) {
    throw new VarveError(
      'Integrity',
      `Object ${key} in ${store.description} is truncated: a read of ${range.length} bytes at ${range.offset} returned ${bytes.length}.`,
      {
        details: { key },
      },
    )
  }
  return bytes
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export async function getJsonObject(store: Store, hash: string): Promise<unknown> {
  return parseJson(await getObject(store, hash, { readOnly: true }), objectKey(hash))
}

export function parseJson(bytes: Uint8Array, key: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes))
  } catch (cause) {
    throw new VarveError('Integrity', `Object ${key} does not hold valid JSON metadata.`, {
      cause,
      details: { key },
    })
  }
}

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

/** The error for an object a repository references but the store lacks. */
export function missingObject(store: Store, key: string): VarveError {
  return new VarveError(
    'NotFound',
    `Object ${key} is referenced but missing from ${store.description}; the repository is incomplete (an interrupted copy? re-run the push or pull).`,
    { details: { key } },
  )
}
