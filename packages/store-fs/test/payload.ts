/**
 * A self-checking payload: an 8-byte header (body length, seed; little-endian
 * uint32) and a body computed from the seed, so a truncated or mixed object is
 * recognised from its bytes alone.
 */
export function makePayload(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(8 + length)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, length, true)
  view.setUint32(4, seed, true)
  for (let i = 0; i < length; i++) bytes[8 + i] = (seed * 131 + i * 7 + (i >>> 8)) & 0xff
  return bytes
}

/** The seed of a complete payload, or undefined when the bytes are not exactly one. */
export function payloadSeed(bytes: Uint8Array): number | undefined {
  if (bytes.length < 8) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = view.getUint32(0, true)
  const seed = view.getUint32(4, true)
  if (bytes.length !== 8 + length) return undefined
  for (let i = 0; i < length; i++) {
    if (bytes[8 + i] !== ((seed * 131 + i * 7 + (i >>> 8)) & 0xff)) return undefined
  }
  return seed
}
