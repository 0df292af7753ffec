// The data sets of the column codec measurements (codec.ts): seeded, so every run measures the same bytes.

import type { ColumnArray, ColumnType } from '../src/model/column-types.ts'

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function normal(random: () => number): () => number {
  return () => {
    let u = 0
    while (u === 0) u = random()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
  }
}

export interface DataSet {
  name: string
  type: ColumnType
  width: number
  make: (rows: number, seed: number) => ColumnArray
}

export function walk(start: number, step: number): (rows: number, seed: number) => Float64Array {
  return (rows, seed) => {
    const gauss = normal(mulberry32(seed))
    const values = new Float64Array(rows)
    let x = start
    for (let i = 0; i < rows; i++) {
      x += gauss() * step
      values[i] = x
    }
    return values
  }
}

export const DATA_SETS: DataSet[] = [
  {
    name: 'timestamps 1 s apart (ms)',
    type: 'timestamp[ms]',
    width: 8,
    make: (rows, seed) => {
      const values = new BigInt64Array(rows)
      const start = 1_700_000_000_000n + BigInt(seed) * 86_400_000n
      for (let i = 0; i < rows; i++) values[i] = start + BigInt(i) * 1000n
      return values
    },
  },
  {
    name: 'timestamps ~1 s, jitter ±50 ms',
    type: 'timestamp[ms]',
    width: 8,
    make: (rows, seed) => {
      const random = mulberry32(seed)
      const values = new BigInt64Array(rows)
      let t = 1_700_000_000_000
      for (let i = 0; i < rows; i++) {
        t += 950 + Math.floor(random() * 101)
        values[i] = BigInt(t)
      }
      return values
    },
  },
  { name: 'float64 walk 100 + N(0,1)', type: 'float64', width: 8, make: walk(100, 1) },
  { name: 'float64 walk 100 + N(0,0.1)', type: 'float64', width: 8, make: walk(100, 0.1) },
  { name: 'float64 walk 100 + N(0,0.01)', type: 'float64', width: 8, make: walk(100, 0.01) },
  { name: 'float64 walk 1000 + N(0,1)', type: 'float64', width: 8, make: walk(1000, 1) },
  {
    name: 'float64 cents 100.00 + N(0,5)¢',
    type: 'float64',
    width: 8,
    make: (rows, seed) => {
      const gauss = normal(mulberry32(seed))
      const values = new Float64Array(rows)
      let cents = 10000
      for (let i = 0; i < rows; i++) {
        cents += Math.round(gauss() * 5)
        values[i] = cents / 100
      }
      return values
    },
  },
  {
    name: 'float64 noise N(0,1)',
    type: 'float64',
    width: 8,
    make: (rows, seed) => {
      const gauss = normal(mulberry32(seed))
      return Float64Array.from({ length: rows }, gauss)
    },
  },
  {
    name: 'float32 walk 100 + N(0,0.01)',
    type: 'float32',
    width: 4,
    make: (rows, seed) => Float32Array.from(walk(100, 0.01)(rows, seed)),
  },
  {
    name: 'int64 counter + 0..9',
    type: 'int64',
    width: 8,
    make: (rows, seed) => {
      const random = mulberry32(seed)
      const values = new BigInt64Array(rows)
      let v = 0
      for (let i = 0; i < rows; i++) {
        v += Math.floor(random() * 10)
        values[i] = BigInt(v)
      }
      return values
    },
  },
  {
    name: 'str 16 symbols',
    type: 'str',
    width: 8,
    make: (rows, seed) => {
      const random = mulberry32(seed)
      return Array.from({ length: rows }, () => `SYM${Math.floor(random() * 16)}`)
    },
  },
  {
    name: 'bool 10% true',
    type: 'bool',
    width: 1,
    make: (rows, seed) => {
      const random = mulberry32(seed)
      return Array.from({ length: rows }, () => random() < 0.1)
    },
  },
]
