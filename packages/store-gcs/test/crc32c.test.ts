import { randomBytes } from 'node:crypto'
import { CRC32C, CRC32C_DEFAULT_VALIDATOR_GENERATOR, Storage } from '@google-cloud/storage'
import { describe, expect, it } from 'vitest'
import { crc32c, crc32cFileOptions, fastCrc32cGenerator } from '../src/crc32c.ts'

const unsigned = (crc: number) => crc >>> 0

describe('crc32c', () => {
  // Test vectors of RFC 3720, appendix B.4: https://datatracker.ietf.org/doc/html/rfc3720#appendix-B.4
  it('matches the RFC 3720 vectors', () => {
    expect(unsigned(crc32c(0, new Uint8Array(32)))).toBe(0x8a9136aa)
    expect(unsigned(crc32c(0, new Uint8Array(32).fill(0xff)))).toBe(0x62a8ab43)
    expect(
      unsigned(
        crc32c(
          0,
          Uint8Array.from({ length: 32 }, (_, i) => i),
        ),
      ),
    ).toBe(0x46dd794e)
    expect(
      unsigned(
        crc32c(
          0,
          Uint8Array.from({ length: 32 }, (_, i) => 31 - i),
        ),
      ),
    ).toBe(0x113fdb5c)
  })

  it("gives the SDK's value for every length and split into chunks", () => {
    const bytes = randomBytes(300)
    for (let length = 0; length <= bytes.length; length += 7) {
      const data = bytes.subarray(0, length)
      const sdk = new CRC32C()
      sdk.update(data)
      const fast = fastCrc32cGenerator()
      const cut = Math.floor(length / 3)
      fast.update(data.subarray(0, cut))
      fast.update(data.subarray(cut))
      expect(fast.toString(), `length ${length}`).toBe(sdk.toString())
      expect(fast.validate(sdk.toString())).toBe(true)
    }
  })

  it('validates what the server sends and refuses other values', () => {
    const fast = fastCrc32cGenerator()
    fast.update(Buffer.from('data'))
    expect(fast.toString()).toBe('rth90Q==')
    expect(fast.validate('rth90Q==')).toBe(true)
    expect(fast.validate('DkjKuA==')).toBe(false)
  })

  it("replaces only the SDK's default generator", () => {
    const storage = new Storage({ projectId: 'demo', apiEndpoint: 'http://127.0.0.1:9' })
    expect(storage.bucket('b').crc32cGenerator).toBe(CRC32C_DEFAULT_VALIDATOR_GENERATOR)
    expect(crc32cFileOptions(storage.bucket('b'))).toEqual({ crc32cGenerator: fastCrc32cGenerator })
    const own = () => new CRC32C()
    const custom = new Storage({ projectId: 'demo', apiEndpoint: 'http://127.0.0.1:9', crc32cGenerator: own })
    expect(crc32cFileOptions(custom.bucket('b'))).toEqual({})
  })
})
