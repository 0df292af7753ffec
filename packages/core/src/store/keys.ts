import { VarveError } from '../errors/varve-error.ts'
import type { ByteRange } from './store.ts'

/** The longest key, in UTF-8 bytes (S3's limit, the tightest of the clouds). */
export const MAX_KEY_BYTES = 1024
/** The longest segment between two '/', in UTF-8 bytes (a file name on common file systems). */
export const MAX_SEGMENT_BYTES = 255

// Characters a segment may not hold: C0/C1 controls and DEL, the path separator
// of Windows, and the characters Windows forbids in file names, so a key maps to
// the same file on every OS the fs store runs on.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const forbidden = /[\u0000-\u001f\u007f-\u009f\\:*?"<>|]/

const encoder = new TextEncoder()

/**
 * Why `key` is not a valid store key, or undefined when it is.
 *
 * The rules, enforced here and nowhere else:
 * - non-empty, at most {@link MAX_KEY_BYTES} UTF-8 bytes;
 * - segments separated by '/', none empty (so no leading, trailing or double '/'),
 *   each at most {@link MAX_SEGMENT_BYTES} UTF-8 bytes;
 * - no segment starts with '.' (this rules out '.' and '..', and leaves dot-names
 *   to stores for their own bookkeeping, e.g. temporary files);
 * - no control characters, no `\ : * ? " < > |`, no lone UTF-16 surrogates.
 * Any other Unicode character is allowed.
 */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string') return 'a key must be a string'
  if (key.length === 0) return 'a key must not be empty'
  if (!key.isWellFormed()) return 'a key must not hold lone UTF-16 surrogates'
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: short keys need no encoding to be measured.
  if (key.length * 3 > MAX_KEY_BYTES && encoder.encode(key).length > MAX_KEY_BYTES)
    return `a key must be at most ${MAX_KEY_BYTES} UTF-8 bytes`
  const bad = forbidden.exec(key)
  if (bad) return `a key must not hold ${JSON.stringify(bad[0])}`
  for (const segment of key.split('/')) {
    if (segment.length === 0) return "a key must not start or end with '/' nor hold '//'"
    if (segment.startsWith('.')) return "no segment of a key may start with '.'"
    if (segment.length * 3 > MAX_SEGMENT_BYTES && encoder.encode(segment).length > MAX_SEGMENT_BYTES)
      return `each '/'-separated segment must be at most ${MAX_SEGMENT_BYTES} UTF-8 bytes`
  }
  return undefined
}

/** Throws an `InvalidKey` error unless `key` follows the key rules (see {@link keyProblem}). */
export function validateKey(key: string): string {
  const problem = keyProblem(key)
  if (problem !== undefined) {
    throw new VarveError('InvalidKey', `Invalid store key ${JSON.stringify(key)}: ${problem}.`, {
      details: { key },
    })
  }
  return key
}

/**
 * Throws unless `prefix` can begin a valid key. The empty prefix (everything)
 * is valid; so is a prefix ending in '/' or in the middle of a segment.
 */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix
  const problem = keyProblem(prefix.endsWith('/') ? `${prefix}x` : prefix)
  if (problem !== undefined) {
    throw new VarveError('InvalidKey', `Invalid key prefix ${JSON.stringify(prefix)}: ${problem}.`, {
      details: { prefix },
    })
  }
  return prefix
}

/**
 * Orders keys by their UTF-8 bytes, the order S3, GCS and Azure list in.
 * (Plain `<` on JS strings compares UTF-16 code units, which differs for
 * characters above U+FFFF against U+E000..U+FFFF.)
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** Throws `InvalidArgument` unless the range has a whole, non-negative offset and length. */
export function validateRange(range: ByteRange): void {
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 0
  if (!ok(range?.offset) || !ok(range?.length)) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid byte range ${JSON.stringify(range)}: offset and length must be whole numbers ≥ 0.`,
    )
  }
}
