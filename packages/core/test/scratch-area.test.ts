import { describe, expect, it } from 'vitest'
import { ScratchArea } from '../src/chunks/byte-io.ts'
import { encodeChunk } from '../src/chunks/chunk-format.ts'
import { encodeColumn } from '../src/chunks/column-codec.ts'
import { Frame } from '../src/model/frame.ts'
import { Schema } from '../src/model/schema.ts'

const filled = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff)

describe('ScratchArea', () => {
  it('hands out copies that stay as they were until the next reset, also when it outgrows its room', () => {
    const scratch = new ScratchArea()
    const sources = [filled(700_000, 1), filled(500_000, 2), filled(3_000_000, 3), filled(10, 4)]
    const views = sources.map((bytes) => scratch.copy(bytes, bytes.length - 3))
    views.forEach((view, i) => {
      expect(view).toEqual(sources[i]!.subarray(0, sources[i]!.length - 3))
    })
  })

  it('gives numeric blocks equal to those encoded without it', () => {
    const scratch = new ScratchArea()
    const values = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1e3)
    const times = BigInt64Array.from({ length: 5000 }, (_, i) => BigInt(1_700_000_000_000 + i * 1000))
    const blocks = [
      encodeColumn('float64', values, undefined, scratch),
      encodeColumn('timestamp[ms]', times, undefined, scratch),
    ]
    expect(blocks[0]).toEqual(encodeColumn('float64', values))
    expect(blocks[1]).toEqual(encodeColumn('timestamp[ms]', times))
  })
})

describe('encodeChunk', () => {
  it('returns bytes of its own: a later chunk does not change an earlier one', () => {
    const schema = new Schema({ time: 'timestamp*', value: 'float64' })
    const frame = (seed: number) =>
      new Frame(schema, {
        time: BigInt64Array.from({ length: 20_000 }, (_, i) => BigInt(1_700_000_000_000 + i * 1000)),
        value: Float64Array.from({ length: 20_000 }, (_, i) => Math.cos(i * seed) * 100),
      })
    const first = encodeChunk(frame(1), 4096)
    const copy = first.bytes.slice()
    encodeChunk(frame(2), 4096)
    expect(first.bytes).toEqual(copy)
  })
})
