import { describe, expect, it } from 'vitest'
import { compress, decompress } from '../src/chunks/compression.ts'
import { sha256, sha256Hex } from '../src/chunks/hash.ts'
import { VarveError } from '../src/errors/varve-error.ts'

function integrity(run: () => unknown): boolean {
  try {
    run()
  } catch (error) {
    return VarveError.is(error, 'Integrity')
  }
  return false
}

describe('compression', () => {
  it('round-trips empty, repetitive and incompressible bytes', () => {
    const noise = new Uint8Array(100_000)
    for (let i = 0; i < noise.length; i++) noise[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff
    for (const bytes of [new Uint8Array(0), new Uint8Array(100_000).fill(7), noise]) {
      const packed = compress(bytes)
      expect(decompress(packed)).toEqual(bytes)
      expect(decompress(packed, bytes.length)).toEqual(bytes)
    }
    expect(compress(new Uint8Array(100_000)).length).toBeLessThan(100)
  })

  it('refuses frames of another size, truncated frames and garbage as Integrity', () => {
    const packed = compress(new TextEncoder().encode('abc'.repeat(1000)))
    expect(integrity(() => decompress(packed, 2999))).toBe(true)
    expect(integrity(() => decompress(packed.subarray(0, packed.length - 1)))).toBe(true)
    expect(integrity(() => decompress(packed.subarray(0, 3)))).toBe(true)
    expect(integrity(() => decompress(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])))).toBe(true)
    expect(integrity(() => decompress(new Uint8Array(0)))).toBe(true)
  })
})

describe('hash', () => {
  it('computes SHA-256 (FIPS 180-2 test vector)', () => {
    const abc = new TextEncoder().encode('abc')
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    expect(sha256Hex(abc)).toBe(expected)
    expect(Buffer.from(sha256(abc)).toString('hex')).toBe(expected)
    expect(sha256(abc)).toBeInstanceOf(Uint8Array)
    expect(sha256(abc).length).toBe(32)
  })
})
