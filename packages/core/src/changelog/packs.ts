import { sha256Hex } from '../chunks/hash.ts'
import { encodeJson, parseJson } from '../chunks/objects.ts'
import { VarveError } from '../errors/varve-error.ts'

/**
 * A pack holds many revision objects in one, so that a long history lists in a
 * few keys: `packs/<collection id>/<newest revision id>-<12 hex of SHA-256>`,
 * JSON `{"kind":"pack","revisions":[[name, object text], …]}`. Each revision
 * keeps its name (its key's last segment) and its exact bytes, so it verifies
 * against its name as a loose revision does.
 */
export interface PackedRevision {
  readonly name: string
  readonly bytes: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodePack(revisions: readonly PackedRevision[]): { bytes: Uint8Array; suffix: string } {
  const bytes = encodeJson({
    kind: 'pack',
    revisions: revisions.map((r) => [r.name, decoder.decode(r.bytes)]),
  })
  const newest = revisions
    .map((r) => r.name.slice(0, 25))
    .sort()
    .at(-1)!
  return { bytes, suffix: `${newest}-${sha256Hex(bytes).slice(0, 12)}` }
}

export function decodePack(bytes: Uint8Array, key: string): PackedRevision[] {
  if (!key.endsWith(`-${sha256Hex(bytes).slice(0, 12)}`)) {
    throw new VarveError(
      'Integrity',
      `Pack ${key} is corrupted: its bytes do not match the hash in its key.`,
      { details: { key } },
    )
  }
  const raw = parseJson(bytes, key) as { kind?: unknown; revisions?: unknown }
  if (raw?.kind !== 'pack' || !Array.isArray(raw.revisions)) {
    throw new VarveError('Integrity', `Pack ${key} is malformed.`, { details: { key } })
  }
  return raw.revisions.map((item: unknown) => {
    const [name, text] = item as [unknown, unknown]
    if (typeof name !== 'string' || typeof text !== 'string') {
      throw new VarveError('Integrity', `Pack ${key} is malformed.`, { details: { key } })
    }
    return { name, bytes: encoder.encode(text) }
  })
}
