import { describe, expect, it } from 'vitest'
import { decodePages, encodeChunk, parseChunkHeader } from '../src/chunks/chunk-format.ts'
import { encodeColumn } from '../src/chunks/column-codec.ts'
import { Encoding } from '../src/chunks/encodings.ts'
import type { EncodingHint } from '../src/chunks/numeric-codec.ts'
import { Frame } from '../src/model/frame.ts'
import { Schema } from '../src/model/schema.ts'

const PAGE = 1024

/** Prices in cents for the first `decimalPages` pages, full-precision noise after. */
function prices(pages: number, decimalPages: number): Float64Array {
  const values = new Float64Array(pages * PAGE)
  let cents = 10_000
  for (let i = 0; i < values.length; i++) {
    cents += (i * 7919) % 11 === 0 ? 3 : -1
    values[i] = i < decimalPages * PAGE ? cents / 100 : cents / 100 + Math.sin(i) * 1e-7
  }
  return values
}

describe('encoding hints across the pages of a column', () => {
  it('take the last ranking between rankings, and fall back where it no longer applies', () => {
    const values = prices(6, 2)
    const hint: EncodingHint = { pages: 0 }
    const ids = Array.from({ length: 6 }, (_, p) =>
      encodeColumn('float64', values.subarray(p * PAGE, (p + 1) * PAGE), hint),
    ).map((block) => block[0])
    // Pages 0-1 rank Decimal first; page 2 has no decimals, so it ranks afresh; page 3 reuses it.
    expect(ids.slice(0, 2)).toEqual([Encoding.Decimal, Encoding.Decimal])
    expect(ids.slice(2)).not.toContain(Encoding.Decimal)
    // Unhinted pages choose the same.
    const alone = Array.from({ length: 6 }, (_, p) =>
      encodeColumn('float64', values.subarray(p * PAGE, (p + 1) * PAGE)),
    ).map((block) => block[0])
    expect(ids).toEqual(alone)
  })

  it('never change what a chunk decodes to, whatever the pages hold', () => {
    const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
    const rows = 9 * PAGE
    const value = prices(9, 4)
    // Noise that decimal detection accepts on a sample but that has too many exceptions in full.
    for (let i = 5 * PAGE; i < 6 * PAGE; i += 3) value[i] = (Math.sin(i * 12.9898) * 43_758.5453) % 1
    const timestamp = BigInt64Array.from({ length: rows }, (_, i) => BigInt(1_700_000_000_000 + i * 1000))
    const frame = new Frame(schema, { timestamp, value })
    const chunk = encodeChunk(frame, PAGE)
    const header = parseChunkHeader(schema, chunk.bytes, 'test')
    const back = decodePages(
      schema,
      header,
      { bytes: chunk.bytes, base: 0, verify: true, key: 'test' },
      0,
      header.pages.length,
      ['timestamp', 'value'],
    )
    expect(back.columns.timestamp).toEqual(timestamp)
    expect(new Uint8Array((back.columns.value as Float64Array).buffer)).toEqual(new Uint8Array(value.buffer))
  })
})
