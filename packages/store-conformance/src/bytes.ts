import { randomBytes } from 'node:crypto'

const encoder = new TextEncoder()

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/**
 * `size` bytes that start with `label` and go on with random bytes, so that two payloads never
 * share more than their label and a mix of two is never equal to either.
 */
export function payload(label: string, size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  bytes.set(randomBytes(size))
  bytes.set(utf8(`${label}\n`).subarray(0, size))
  return bytes
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

/** A short, printable account of some bytes for failure messages. */
export function describeBytes(bytes: unknown): string {
  if (bytes === undefined || bytes === null) return String(bytes)
  if (!(bytes instanceof Uint8Array)) return `a ${typeof bytes} (${String(bytes)}), not a Uint8Array`
  const head = Buffer.from(bytes.subarray(0, 12)).toString('hex')
  return `${bytes.length} bytes (${head}${bytes.length > 12 ? '…' : ''})`
}
