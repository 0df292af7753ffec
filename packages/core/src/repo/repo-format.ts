import { parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'

/** The key of the repository marker: it names the storage format and its version. */
export const MARKER_KEY = 'varve.json'
/** The storage format version this build reads and writes (docs/format.md). */
export const FORMAT_VERSION = 1

/**
 * Checks the marker, creating it on first use. A repository of a newer (or
 * unknown) format is refused: this build could misread it.
 */
export async function ensureMarker(store: Store, create: boolean): Promise<void> {
  let bytes = await store.get(MARKER_KEY)
  if (bytes === undefined) {
    if (!create) {
      throw new VarveError(
        'NotFound',
        `No Varve repository at ${store.description}; open it with create enabled to make one.`,
      )
    }
    const marker = new TextEncoder().encode(JSON.stringify({ format: 'varve', version: FORMAT_VERSION }))
    try {
      await store.create(MARKER_KEY, marker)
      return
    } catch (error) {
      if (!VarveError.is(error, 'AlreadyExists') && !VarveError.is(error, 'PreconditionFailed')) throw error
      bytes = await store.get(MARKER_KEY)
      if (bytes === undefined) throw error
    }
  }
  const raw = parseJson(bytes, MARKER_KEY) as { format?: unknown; version?: unknown }
  if (raw?.format !== 'varve' || typeof raw.version !== 'number') {
    throw new VarveError(
      'FormatVersion',
      `${store.description} holds a ${MARKER_KEY} that is not a Varve repository marker; point Varve at an empty location or a Varve repository.`,
    )
  }
  if (raw.version !== FORMAT_VERSION) {
    throw new VarveError(
      'FormatVersion',
      `The repository at ${store.description} uses storage format ${raw.version}; this Varve reads format ${FORMAT_VERSION}. Upgrade @varve/core to open it.`,
      { details: { version: raw.version } },
    )
  }
}
