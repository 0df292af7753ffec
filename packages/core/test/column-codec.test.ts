import { describe, expect, it } from 'vitest'
import { decodeColumn, encodeColumn } from '../src/chunks/column-codec.ts'
import { detectDecimals } from '../src/chunks/decimal-floats.ts'
import { Encoding } from '../src/chunks/encodings.ts'
import { VarveError } from '../src/errors/varve-error.ts'
import { COLUMN_TYPES, type ColumnArray, type ColumnType } from '../src/model/column-types.ts'

function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gaussian(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
}

function bytesOf(values: ColumnArray): Uint8Array {
  if (Array.isArray(values)) throw new Error('not a typed array')
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
}

/** Encodes, decodes and checks the result is identical, bit for bit for typed arrays. */
function roundTrip(type: ColumnType, values: ColumnArray): Uint8Array {
  const block = encodeColumn(type, values)
  const back = decodeColumn(type, block, values.length)
  expect(back.constructor).toBe(values.constructor)
  expect(back.length).toBe(values.length)
  if (Array.isArray(values)) expect(back).toEqual(values)
  else expect(Buffer.from(bytesOf(back)).equals(Buffer.from(bytesOf(values)))).toBe(true)
  return block
}

const INT_RANGES = {
  int8: [-128, 127, Int8Array],
  int16: [-32768, 32767, Int16Array],
  int32: [-2147483648, 2147483647, Int32Array],
  uint8: [0, 255, Uint8Array],
  uint16: [0, 65535, Uint16Array],
  uint32: [0, 4294967295, Uint32Array],
} as const

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

function float64FromBits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8))
  view.setUint32(0, lo, true)
  view.setUint32(4, hi, true)
  return view.getFloat64(0, true)
}

/** A Float64Array holding these exact bit patterns (NaN payloads survive only as bits). */
function float64Bits(patterns: readonly (readonly [number, number])[]): Float64Array {
  const values = new Float64Array(patterns.length)
  const words = new Uint32Array(values.buffer)
  patterns.forEach(([hi, lo], i) => {
    words[2 * i] = lo
    words[2 * i + 1] = hi
  })
  return values
}

function sizes(n: number): number[] {
  return [0, 1, 2, 3, 4, 5, 7, 8, 9, 1023, 1024, 1025, 1027, n]
}

describe('column codec round trips', () => {
  it('covers every column type with empty, single and random pages', () => {
    const next = random(1)
    for (const type of COLUMN_TYPES) {
      for (const n of [0, 1, 2, 5, 1500]) {
        roundTrip(type, makeRandom(type, n, next))
      }
    }
  })

  it('keeps small integer types exact at their limits and across wraparound deltas', () => {
    const next = random(2)
    for (const [type, [min, max, Typed]] of Object.entries(INT_RANGES)) {
      for (const n of sizes(3001)) {
        const values = new Typed(n)
        for (let i = 0; i < n; i++)
          values[i] = i % 3 === 0 ? min : i % 3 === 1 ? max : min + next() * (max - min)
        roundTrip(type as ColumnType, values)
      }
      roundTrip(
        type as ColumnType,
        Typed.from(Array.from({ length: 2000 }, (_, i) => min + (i % (max - min + 1)))),
      )
      roundTrip(type as ColumnType, new Typed(3000).fill(max))
    }
  })

  it('keeps 64-bit integers and timestamps exact, including differences that overflow 64 bits', () => {
    const next = random(3)
    const cases: [ColumnType, BigInt64Array | BigUint64Array][] = []
    for (const n of sizes(5003)) {
      const alternating = new BigInt64Array(n)
      for (let i = 0; i < n; i++) alternating[i] = i % 2 === 0 ? INT64_MIN : INT64_MAX
      cases.push(['int64', alternating], ['timestamp[ns]', alternating])
      const unsigned = new BigUint64Array(n)
      for (let i = 0; i < n; i++)
        unsigned[i] = i % 3 === 0 ? 0n : i % 3 === 1 ? UINT64_MAX : BigInt(Math.floor(next() * 2 ** 53))
      cases.push(['uint64', unsigned])
      const stamps = new BigInt64Array(n)
      for (let i = 0; i < n; i++)
        stamps[i] = 1_700_000_000_000n + BigInt(i) * 1000n + BigInt(Math.floor(next() * 7))
      cases.push(['timestamp[ms]', stamps])
      const descending = new BigInt64Array(n)
      for (let i = 0; i < n; i++) descending[i] = 2n ** 40n - BigInt(i) * 999_999_937n
      cases.push(['timestamp[us]', descending])
      const lowWordWraps = new BigInt64Array(n)
      for (let i = 0; i < n; i++) lowWordWraps[i] = 2n ** 32n - 3000n + BigInt(i) * 7n
      cases.push(['int64', lowWordWraps])
      const noise = new BigInt64Array(n)
      for (let i = 0; i < n; i++)
        noise[i] = BigInt.asIntN(64, BigInt(Math.floor(next() * 2 ** 32)) << 32n) ^ BigInt(i)
      cases.push(['timestamp[s]', noise])
    }
    for (const [type, values] of cases) roundTrip(type, values)
  })

  it('stores regular timestamps in a few bytes', () => {
    const stamps = new BigInt64Array(65536)
    for (let i = 0; i < stamps.length; i++) stamps[i] = 1_700_000_000_000n + BigInt(i) * 1000n
    const block = roundTrip('timestamp[ms]', stamps)
    expect(block[0]).toBe(Encoding.Delta)
    expect(block.length).toBeLessThan(40)
  })

  it('keeps float64 special values bit for bit: -0, NaN payloads, infinities, subnormals', () => {
    const specials: [number, number][] = [
      [0x80000000, 0], // -0
      [0, 0], // +0
      [0x7ff80000, 0], // canonical NaN
      [0x7ff00000, 1], // signalling NaN with payload 1
      [0xfff80000, 0xdeadbeef], // negative quiet NaN with a payload
      [0x7ff00000, 0], // +Infinity
      [0xfff00000, 0], // -Infinity
      [0, 1], // smallest subnormal
      [0x80000000, 1], // its negative
      [0x000fffff, 0xffffffff], // largest subnormal
      [0x7fefffff, 0xffffffff], // largest finite
      [0xffefffff, 0xffffffff], // most negative finite
      [0x00100000, 0], // smallest normal
    ]
    const next = random(4)
    for (const n of sizes(4099)) {
      const patterns = Array.from({ length: n }, () => specials[Math.floor(next() * specials.length)]!)
      roundTrip('float64', float64Bits(patterns))
    }
    // Specials scattered through data the other encodings take: walks and decimals.
    const walk = randomWalk(5000, 100, 0.01, random(5))
    const prices = Float64Array.from(randomWalk(5000, 10000, 3, random(6)), (v) => Math.round(v) / 100)
    for (const values of [walk, prices]) {
      const words = new Uint32Array(values.buffer)
      specials.forEach(([hi, lo], i) => {
        words[2 * (i * 37 + 11)] = lo
        words[2 * (i * 37 + 11) + 1] = hi
      })
      roundTrip('float64', values)
    }
    expect(Object.is(float64FromBits(0x80000000, 0), -0)).toBe(true)
  })

  it('keeps float32 special values bit for bit', () => {
    const specials = [
      0x80000000, 0, 0x7fc00000, 0x7f800001, 0xffc0dead, 0x7f800000, 0xff800000, 1, 0x80000001, 0x7f7fffff,
    ]
    const next = random(7)
    for (const n of sizes(3001)) {
      const values = new Float32Array(n)
      const words = new Uint32Array(values.buffer)
      for (let i = 0; i < n; i++) words[i] = specials[Math.floor(next() * specials.length)]!
      roundTrip('float32', values)
    }
    const readings = Float32Array.from(
      { length: 3000 },
      (_, i) => Math.round(200 + 50 * Math.sin(i / 50)) / 10,
    )
    expect(roundTrip('float32', readings)[0]).toBe(Encoding.Decimal)
    roundTrip('float32', Float32Array.from(randomWalk(3000, 20, 0.1, random(8))))
  })

  it('takes full-precision random walks through order-mapped deltas, also across zero', () => {
    for (const [start, step] of [
      [100, 1],
      [100, 0.01],
      [0, 1],
      [-5, 0.5],
      [1e-300, 1e-301],
      [1e300, 1e299],
    ] as const) {
      for (const n of [3, 1000, 1025, 4097, 20001]) {
        roundTrip('float64', randomWalk(n, start, step, random(n)))
      }
    }
    // Steps far below 2^32 ulps keep the low lanes delta-coded; the sign flips exercise the order map.
    for (const [start, step] of [
      [100, 1e-9],
      [-100, 1e-7],
    ] as const) {
      roundTrip('float64', randomWalk(5001, start, step, random(17)))
    }
    // Steps so small that the high 32 bits never change: only the low lanes are coded.
    roundTrip(
      'float64',
      Float64Array.from({ length: 3001 }, (_, i) => 100 + i * 1e-12),
    )
    roundTrip(
      'float64',
      Float64Array.from({ length: 3001 }, (_, i) => -100 - i * 1e-12),
    )
    const subnormals = Float64Array.from({ length: 3001 }, (_, i) => (i - 1500) * 5e-324)
    expect(roundTrip('float64', subnormals)[0]).toBe(Encoding.FloatDelta)
    const block = roundTrip('float64', randomWalk(65536, 100, 0.01, random(9)))
    expect(block[0]).toBe(Encoding.FloatDelta)
    expect(block.length / 65536).toBeLessThan(5.4)
  })

  it('decodes blocks one after another, whatever the one before left in the shared buffers', () => {
    const regular = new BigInt64Array(5001)
    for (let i = 0; i < regular.length; i++) regular[i] = 1_700_000_000_000n + BigInt(i) * 1000n
    const irregular = regular.map((t, i) => t + BigInt(i % 7))
    const trues = new Array<boolean>(4099).fill(true)
    const walk = randomWalk(4099, 100, 1, random(3))
    const cases: [ColumnType, ColumnArray][] = [
      ['timestamp[ms]', regular],
      ['bool', trues],
      ['timestamp[ms]', irregular],
      ['float64', walk],
      ['timestamp[ms]', regular],
      ['bool', trues],
      ['float64', walk],
      ['timestamp[ms]', irregular],
    ]
    const blocks = cases.map(([type, values]) => encodeColumn(type, values))
    cases.forEach(([type, values], i) => {
      const back = decodeColumn(type, blocks[i]!, values.length)
      if (Array.isArray(values)) expect(back).toEqual(values)
      else expect(Buffer.from(bytesOf(back)).equals(Buffer.from(bytesOf(values)))).toBe(true)
    })
  })

  it('round-trips bools, including lengths that are not multiples of 8', () => {
    const next = random(10)
    for (const n of sizes(10007)) {
      roundTrip(
        'bool',
        Array.from({ length: n }, () => next() < 0.3),
      )
      roundTrip('bool', new Array<boolean>(n).fill(true))
      roundTrip('bool', new Array<boolean>(n).fill(false))
    }
  })

  it('round-trips strings: empty, unicode, a leading BOM, lone surrogates, dictionaries', () => {
    const samples = [
      '',
      'a',
      '\uFEFFbom',
      'é',
      '日本語',
      '😀',
      'a\u0000b',
      '\uD800',
      'x\uDC00',
      'long '.repeat(500),
    ]
    const next = random(11)
    for (const n of sizes(5000)) {
      roundTrip(
        'str',
        Array.from({ length: n }, () => samples[Math.floor(next() * samples.length)]!),
      )
      roundTrip(
        'str',
        Array.from({ length: n }, (_, i) => `row ${i} ${next().toString(36)}`),
      )
    }
    // A surrogate pair split across two values must come back split, not replaced.
    roundTrip('str', ['\uD83D', '\uDE00', '\uD83D\uDE00'])
    roundTrip('str', ['\uFEFF', '\uFEFF'])
    const symbols = Array.from({ length: 20000 }, (_, i) => `SYM${i % 13}`)
    const block = roundTrip('str', symbols)
    expect(block[0]).toBe(Encoding.Dictionary)
    expect(block.length).toBeLessThan(20000 / 4)
  })

  it('refuses arrays that do not match the type', () => {
    expect(() => encodeColumn('float64', new Float32Array(3))).toThrow(VarveError)
    expect(() => encodeColumn('int64', new BigUint64Array(3))).toThrow(VarveError)
    expect(() => encodeColumn('timestamp[ms]', [1, 2] as unknown as string[])).toThrow(VarveError)
    expect(() => encodeColumn('str', ['a', 3] as unknown as string[])).toThrow(VarveError)
    expect(() => encodeColumn('bool', [true, 1] as unknown as boolean[])).toThrow(VarveError)
    expect(() => encodeColumn('decimal' as ColumnType, new Float64Array(1))).toThrow(VarveError)
    try {
      encodeColumn('int8', new Int16Array(1))
    } catch (error) {
      expect(VarveError.is(error, 'InvalidArgument')).toBe(true)
    }
  })
})

describe('exact decimals', () => {
  it('detects the decimals of prices and readings', () => {
    expect(detectDecimals(Float64Array.from([1, 2, 3]))).toBe(0)
    expect(detectDecimals(Float64Array.from([100.25, 99.5, 100]))).toBe(2)
    expect(detectDecimals(Float64Array.from([0.1, 0.2, 0.3]))).toBe(1)
    expect(detectDecimals(Float64Array.from([1.000001, -3]))).toBe(6)
    expect(detectDecimals(Float32Array.from([21.5, 21.7, 22.1]))).toBe(1)
  })

  it('rejects values that are not short decimals', () => {
    expect(detectDecimals(Float64Array.from([Math.PI, Math.E, Math.SQRT2]))).toBeUndefined()
    expect(detectDecimals(Float64Array.from([0.1 + 0.2, 1.0000001]))).toBeUndefined()
    expect(detectDecimals(Float64Array.from([2 ** 60, 1.5]))).toBeUndefined()
    expect(detectDecimals(new Float64Array(0))).toBeUndefined()
    expect(detectDecimals(Float64Array.from(randomWalk(1000, 100, 1, random(12))))).toBeUndefined()
  })

  it('stores cent prices in under a byte per value, with NaN and -0 as exceptions', () => {
    const next = gaussian(random(13))
    const prices = new Float64Array(65536)
    let cents = 10000
    for (let i = 0; i < prices.length; i++) {
      cents += Math.round(next() * 5)
      prices[i] = cents / 100
    }
    const block = roundTrip('float64', prices)
    expect(block[0]).toBe(Encoding.Decimal)
    expect(block.length / prices.length).toBeLessThan(1)
    prices[5] = Number.NaN
    prices[6] = -0
    prices[700] = Number.POSITIVE_INFINITY
    prices[701] = 0.1 + 0.2
    expect(roundTrip('float64', prices)[0]).toBe(Encoding.Decimal)
  })

  it('falls back when too many values are not exact', () => {
    const values = Float64Array.from({ length: 4000 }, (_, i) => (i % 10 === 0 ? i / 7 : i / 4))
    expect(roundTrip('float64', values)[0]).not.toBe(Encoding.Decimal)
    const huge = Float64Array.from({ length: 2000 }, (_, i) => 2 ** 55 + i * 2 ** 10)
    roundTrip('float64', huge)
  })
})

describe('damaged blocks', () => {
  const next = random(14)
  const samples: [ColumnType, ColumnArray][] = [
    ['timestamp[ms]', makeStamps(1500)],
    ['float64', randomWalk(1500, 100, 0.01, next)],
    ['float64', Float64Array.from(randomWalk(1500, 10000, 3, next), (v) => Math.round(v) / 100)],
    ['float64', Float64Array.from({ length: 1500 }, () => next())],
    ['float32', Float32Array.from(randomWalk(1500, 50, 0.1, next))],
    ['int32', Int32Array.from({ length: 1500 }, () => (next() * 2 ** 32) | 0)],
    ['uint16', Uint16Array.from({ length: 1500 }, (_, i) => i * 7)],
    ['int8', Int8Array.from({ length: 1500 }, () => next() * 256)],
    ['uint64', BigUint64Array.from({ length: 1500 }, (_, i) => BigInt(i) ** 3n)],
    ['bool', Array.from({ length: 1500 }, () => next() < 0.2)],
    ['str', Array.from({ length: 1500 }, (_, i) => `v${i % 9}`)],
    ['str', Array.from({ length: 1500 }, (_, i) => `value ${i} é ${next()}`)],
  ]

  function expectIntegrity(run: () => unknown): void {
    let caught: unknown
    try {
      run()
    } catch (error) {
      caught = error
    }
    expect(VarveError.is(caught, 'Integrity'), String(caught)).toBe(true)
  }

  it('refuses every truncation', () => {
    for (const [type, values] of samples) {
      const block = encodeColumn(type, values)
      const cuts = new Set([0, 1, 2, 3, 4, 5, 8, 16, block.length >> 1, block.length - 2, block.length - 1])
      for (let cut = 0; cut < block.length; cut += Math.max(1, block.length >> 6)) cuts.add(cut)
      for (const cut of cuts) {
        if (cut < block.length)
          expectIntegrity(() => decodeColumn(type, block.subarray(0, cut), values.length))
      }
    }
  })

  it('refuses trailing bytes, another row count, another type and unknown encodings', () => {
    for (const [type, values] of samples) {
      const block = encodeColumn(type, values)
      const longer = new Uint8Array(block.length + 1)
      longer.set(block)
      expectIntegrity(() => decodeColumn(type, longer, values.length))
      expectIntegrity(() => decodeColumn(type, block, values.length + 1))
      expectIntegrity(() => decodeColumn(type, block, values.length - 1))
      const unknown = block.slice()
      unknown[0] = 200
      expectIntegrity(() => decodeColumn(type, unknown, values.length))
    }
    const floats = encodeColumn('float64', randomWalk(100, 1, 1, next))
    expectIntegrity(() => decodeColumn('str', floats, 100))
    expectIntegrity(() => decodeColumn('bool', floats, 100))
    const strings = encodeColumn('str', ['a', 'b'])
    expectIntegrity(() => decodeColumn('float64', strings, 2))
    expectIntegrity(() => decodeColumn('int64', new Uint8Array(0), 0))
    expect(() => decodeColumn('int64', floats, 2 ** 40)).toThrow(VarveError)
    expect(() => decodeColumn('int64', floats, -1)).toThrow(VarveError)
  })

  it('survives random corruption: an Integrity error or the right number of values, nothing else', () => {
    let refused = 0
    let decoded = 0
    for (let trial = 0; trial < 600; trial++) {
      const [type, values] = samples[trial % samples.length]!
      const block = encodeColumn(type, values).slice()
      const flips = 1 + Math.floor(next() * 3)
      for (let f = 0; f < flips; f++) {
        const at =
          next() < 0.5 ? Math.floor(next() * Math.min(block.length, 24)) : Math.floor(next() * block.length)
        block[at] = next() < 0.5 ? block[at]! ^ (1 << Math.floor(next() * 8)) : Math.floor(next() * 256)
      }
      try {
        const back = decodeColumn(type, block, values.length)
        expect(back.length).toBe(values.length)
        decoded++
      } catch (error) {
        expect(VarveError.is(error, 'Integrity'), String(error)).toBe(true)
        refused++
      }
    }
    expect(refused).toBeGreaterThan(100)
    expect(refused + decoded).toBe(600)
  })
})

function makeStamps(n: number): BigInt64Array {
  const values = new BigInt64Array(n)
  for (let i = 0; i < n; i++) values[i] = 1_600_000_000_000n + BigInt(i) * 1000n
  return values
}

function randomWalk(n: number, start: number, step: number, next: () => number): Float64Array {
  const normal = gaussian(next)
  const values = new Float64Array(n)
  let x = start
  for (let i = 0; i < n; i++) {
    x += normal() * step
    values[i] = x
  }
  return values
}

function makeRandom(type: ColumnType, n: number, next: () => number): ColumnArray {
  switch (type) {
    case 'bool':
      return Array.from({ length: n }, () => next() < 0.5)
    case 'str':
      return Array.from({ length: n }, () =>
        next()
          .toString(36)
          .slice(2, 2 + Math.floor(next() * 8)),
      )
    case 'float32':
      return Float32Array.from({ length: n }, () => (next() - 0.5) * 1e6)
    case 'float64':
      return Float64Array.from({ length: n }, () => (next() - 0.5) * 1e12)
    case 'int64':
    case 'timestamp[s]':
    case 'timestamp[ms]':
    case 'timestamp[us]':
    case 'timestamp[ns]':
      return BigInt64Array.from({ length: n }, () =>
        BigInt.asIntN(64, BigInt(Math.floor(next() * 2 ** 53)) << 11n),
      )
    case 'uint64':
      return BigUint64Array.from({ length: n }, () =>
        BigInt.asUintN(64, BigInt(Math.floor(next() * 2 ** 53)) << 11n),
      )
    default: {
      const [min, max, Typed] = INT_RANGES[type]
      return Typed.from(Array.from({ length: n }, () => Math.floor(min + next() * (max - min + 1))))
    }
  }
}
