import { CRC32C_DEFAULT_VALIDATOR_GENERATOR, type CRC32CValidatorGenerator } from '@google-cloud/storage'

// CRC-32C (Castagnoli), reflected polynomial: https://datatracker.ietf.org/doc/html/rfc3720#appendix-B.4
const POLYNOMIAL = 0x82f63b78

/** Slicing-by-8 tables: `TABLES[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes. */
const TABLES = makeTables()

function makeTables(): Int32Array {
  const tables = new Int32Array(8 * 256)
  for (let b = 0; b < 256; b++) {
    let crc = b
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1
    tables[b] = crc
  }
  for (let b = 0; b < 256; b++) {
    let crc = tables[b] as number
    for (let k = 1; k < 8; k++) {
      crc = (tables[crc & 0xff] as number) ^ (crc >>> 8)
      tables[k * 256 + b] = crc
    }
  }
  return tables
}

/** The CRC-32C of `crc`'s input followed by `bytes` (start with 0), as a signed 32-bit integer. */
export function crc32c(crc: number, bytes: Uint8Array): number {
  const t = TABLES
  let c = ~crc
  let i = 0
  const whole = bytes.length - (bytes.length % 8)
  for (; i < whole; i += 8) {
    const low =
      c ^
      ((bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24))
    c =
      (t[1792 + (low & 0xff)] as number) ^
      (t[1536 + ((low >>> 8) & 0xff)] as number) ^
      (t[1280 + ((low >>> 16) & 0xff)] as number) ^
      (t[1024 + (low >>> 24)] as number) ^
      (t[768 + (bytes[i + 4] as number)] as number) ^
      (t[512 + (bytes[i + 5] as number)] as number) ^
      (t[256 + (bytes[i + 6] as number)] as number) ^
      (t[bytes[i + 7] as number] as number)
  }
  for (; i < bytes.length; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return ~c
}

/**
 * The SDK's CRC-32C validator with the same results, computed eight bytes at a
 * time: the SDK's own goes byte by byte through an iterator, which costs about
 * as much CPU as the transfer itself on a local server.
 */
class FastCrc32c {
  #crc = 0

  update(data: Buffer): void {
    this.#crc = crc32c(this.#crc, data)
  }

  validate(value: string | number | Buffer | { toString(): string }): boolean {
    if (typeof value === 'number') return value === this.#crc
    if (Buffer.isBuffer(value)) return value.equals(this.toBuffer())
    return value.toString() === this.toString()
  }

  toBuffer(): Buffer {
    const buffer = Buffer.alloc(4)
    buffer.writeInt32BE(this.#crc)
    return buffer
  }

  toJSON(): string {
    return this.toString()
  }

  toString(): string {
    return this.toBuffer().toString('base64')
  }

  valueOf(): number {
    return this.#crc
  }
}

export const fastCrc32cGenerator: CRC32CValidatorGenerator = () => new FastCrc32c()

/**
 * The file options that make uploads and downloads of `bucket`'s objects check
 * CRC-32C with {@link fastCrc32cGenerator}, when the client still has the SDK's
 * default generator (a generator of the caller's own is kept).
 */
export function crc32cFileOptions(bucket: { crc32cGenerator?: CRC32CValidatorGenerator }): {
  crc32cGenerator?: CRC32CValidatorGenerator
} {
  return bucket.crc32cGenerator === CRC32C_DEFAULT_VALIDATOR_GENERATOR
    ? { crc32cGenerator: fastCrc32cGenerator }
    : {}
}
