// Column codec measurements (not part of the test suite):
//   pnpm exec tsx --conditions=@varve/source packages/core/bench/codec.ts [--quick]
// Prints, per data set and page size: the encoding chosen, stored bytes per value, and the
// speed of encode / decode alone and with the SHA-256 the chunk layer adds, in MB/s of raw
// column bytes (8 per value for timestamps and float64). Then the W1 bytes per row (timestamp
// + value) for several definitions of "random walk" next to their information floor, and the
// transform comparison behind the float encoding.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeColumn, encodeColumn } from '../src/chunks/column-codec.ts'
import { compress } from '../src/chunks/compression.ts'
import { encodingName } from '../src/chunks/encodings.ts'
import { sha256 } from '../src/chunks/hash.ts'
import { DATA_SETS, type DataSet, mulberry32, normal, walk } from './codec-data.ts'

const quick = process.argv.includes('--quick')
const PAGE_SIZES = [8192, 65536]
/** Raw bytes of distinct pages cycled through per measurement, so caches do not flatter. */
const WORKING_SET = quick ? 4 << 20 : 16 << 20
const MIN_SECONDS = quick ? 0.15 : 0.5

/** MB/s of `bytes` per run: the best of many short rounds of CPU time (user + system), robust to a busy machine. */
function rate(bytes: number, run: () => void): number {
  return bytes / seconds(run) / 1e6
}

function seconds(run: () => void): number {
  let best = Number.POSITIVE_INFINITY
  const rounds = quick ? 5 : 12
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage()
    let reps = 0
    let used = 0
    do {
      run()
      reps++
      const { user, system } = process.cpuUsage(start)
      used = (user + system) / 1e6
    } while (used < MIN_SECONDS / rounds)
    best = Math.min(best, used / reps)
  }
  return best
}

interface Measured {
  encoding: string
  bytesPerValue: number
  encode: number
  decode: number
  encodeHash: number
  hashDecode: number
}

function measure(set: DataSet, rows: number): Measured {
  const pages = Math.max(1, Math.round(WORKING_SET / (rows * set.width)))
  const columns = Array.from({ length: pages }, (_, p) => set.make(rows, 1000 + p))
  const blocks = columns.map((values) => encodeColumn(set.type, values))
  const stored = blocks.reduce((sum, block) => sum + block.length, 0)
  const raw = pages * rows * set.width
  const names = new Set(blocks.map((block) => encodingName(block[0]!)))
  return {
    encoding: [...names].join('+'),
    bytesPerValue: stored / (pages * rows),
    encode: rate(raw, () => {
      for (const values of columns) encodeColumn(set.type, values)
    }),
    decode: rate(raw, () => {
      for (const block of blocks) decodeColumn(set.type, block, rows)
    }),
    encodeHash: rate(raw, () => {
      for (const values of columns) sha256(encodeColumn(set.type, values))
    }),
    hashDecode: rate(raw, () => {
      for (const block of blocks) {
        sha256(block)
        decodeColumn(set.type, block, rows)
      }
    }),
  }
}

function row(cells: (string | number)[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!)))
    .join(' ')
}

function codecTable(): void {
  const widths = [32, 6, 11, 9, 9, 9, 9, 9]
  console.log('\n## Column codecs (MB/s of raw column bytes, CPU time, best of several rounds)\n')
  console.log(row(['data', 'rows', 'encoding', 'B/value', 'enc', 'dec', 'enc+sha', 'sha+dec'], widths))
  for (const set of DATA_SETS) {
    for (const rows of PAGE_SIZES) {
      const m = measure(set, rows)
      console.log(
        row(
          [
            set.name,
            rows,
            m.encoding,
            m.bytesPerValue.toFixed(3),
            m.encode.toFixed(0),
            m.decode.toFixed(0),
            m.encodeHash.toFixed(0),
            m.hashDecode.toFixed(0),
          ],
          widths,
        ),
      )
    }
  }
}

/**
 * The ideal code length of a walk whose model (Gaussian steps of known size) is
 * known to the coder: −log2(density(step) · ulp(value)) bits per value. No
 * lossless coder of these float64 values can do better on average.
 */
function floorBytes(values: Float64Array, step: number): number {
  let bits = 0
  for (let i = 1; i < values.length; i++) {
    const x = values[i]!
    const z = (x - values[i - 1]!) / step
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52)
    const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI) / step
    bits -= Math.log2(density * ulp)
  }
  return bits / (values.length - 1) / 8
}

function w1Table(): void {
  const definitions: [string, number, number][] = [
    ['100 + N(0,1)', 100, 1],
    ['100 + N(0,0.1)', 100, 0.1],
    ['100 + N(0,0.01)', 100, 0.01],
    ['1000 + N(0,1)', 1000, 1],
    ['0 + N(0,1)', 0, 1],
  ]
  const series = quick ? 4 : 20
  const rows = 100_000
  const widths = [18, 6, 10, 10, 10]
  console.log(`\n## W1 bytes per row (timestamp + value), ${series} series × ${rows} rows, 1 s timestamps\n`)
  console.log(row(['walk', 'page', 'B/row', 'floor B/v', 'values B/v'], widths))
  const stamps = DATA_SETS[0]!
  for (const [name, start, step] of definitions) {
    for (const page of PAGE_SIZES) {
      let stored = 0
      let floor = 0
      let valueBytes = 0
      for (let s = 0; s < series; s++) {
        const values = walk(start, step)(rows, s + 1)
        const times = stamps.make(rows, s) as BigInt64Array
        floor += floorBytes(values, step) / series
        for (let at = 0; at < rows; at += page) {
          const end = Math.min(rows, at + page)
          const v = encodeColumn('float64', values.subarray(at, end)).length
          valueBytes += v
          stored += v + encodeColumn('timestamp[ms]', times.subarray(at, end)).length
        }
      }
      const total = series * rows
      console.log(
        row(
          [name, page, (stored / total).toFixed(3), floor.toFixed(3), (valueBytes / total).toFixed(3)],
          widths,
        ),
      )
    }
  }
}

/** 2-decimal prices: a walk of whole cents from 100.00, Gaussian steps of σ cents (rounded), 1 s timestamps. */
function pricesTable(): void {
  const series = quick ? 4 : 20
  const rows = 100_000
  const widths = [18, 6, 10, 10]
  console.log(`\n## 2-decimal prices: bytes per row (timestamp + value), ${series} series × ${rows} rows\n`)
  console.log(row(['steps', 'page', 'B/row', 'floor B/v'], widths))
  for (const sigma of [1, 5, 20, 100]) {
    for (const page of PAGE_SIZES) {
      let stored = 0
      const counts = new Map<number, number>()
      for (let s = 0; s < series; s++) {
        const gauss = normal(mulberry32(s + 1))
        const values = new Float64Array(rows)
        let cents = 10000
        for (let i = 0; i < rows; i++) {
          const step = Math.round(gauss() * sigma)
          counts.set(step, (counts.get(step) ?? 0) + 1)
          cents += step
          values[i] = cents / 100
        }
        const times = DATA_SETS[0]!.make(rows, s) as BigInt64Array
        for (let at = 0; at < rows; at += page) {
          const end = Math.min(rows, at + page)
          stored += encodeColumn('float64', values.subarray(at, end)).length
          stored += encodeColumn('timestamp[ms]', times.subarray(at, end)).length
        }
      }
      const total = series * rows
      let floor = 0
      for (const count of counts.values()) floor -= (count / total) * Math.log2(count / total)
      console.log(row([`N(0,${sigma})¢`, page, (stored / total).toFixed(3), (floor / 8).toFixed(3)], widths))
    }
  }
}

/** Bytes per value of float64 walks under the transforms considered, with one zstd stream each. */
function transformTable(): void {
  const rows = 65536
  const widths = [18, 11, 11, 11, 11]
  console.log(`\n## float64 transforms before zstd (one stream, ${rows} rows) vs the codec (planes apart)\n`)
  console.log(row(['walk', 'shuffle', 'xor+shuf', 'delta+shuf', 'codec'], widths))
  for (const [name, start, step] of [
    ['100 + N(0,1)', 100, 1],
    ['100 + N(0,0.01)', 100, 0.01],
    ['1000 + N(0,1)', 1000, 1],
  ] as const) {
    const values = walk(start, step)(rows, 7)
    const lanes = new Uint32Array(values.buffer)
    const xor = new Uint32Array(lanes.length)
    const delta = new Uint32Array(lanes.length)
    for (let i = 0; i < rows; i++) {
      const pl = i === 0 ? lanes[0]! : lanes[2 * i - 2]!
      const ph = i === 0 ? lanes[1]! : lanes[2 * i - 1]!
      const l = lanes[2 * i]!
      const h = lanes[2 * i + 1]!
      xor[2 * i] = l ^ pl
      xor[2 * i + 1] = h ^ ph
      const dl = (l - pl) | 0
      const dh = (h - ph - (l >>> 0 < pl >>> 0 ? 1 : 0)) | 0
      const sign = dh >> 31
      delta[2 * i] = (dl << 1) ^ sign
      delta[2 * i + 1] = ((dh << 1) | (dl >>> 31)) ^ sign
    }
    const size = (words: Uint32Array) => compress(shuffle(new Uint8Array(words.buffer))).length / rows
    console.log(
      row(
        [
          name,
          size(lanes).toFixed(3),
          size(xor).toFixed(3),
          size(delta).toFixed(3),
          (encodeColumn('float64', values).length / rows).toFixed(3),
        ],
        widths,
      ),
    )
  }
}

function shuffle(bytes: Uint8Array): Uint8Array {
  const n = bytes.length / 8
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < n; i++) for (let j = 0; j < 8; j++) out[j * n + i] = bytes[8 * i + j]!
  return out
}

/**
 * W1 as files: every page's timestamp and value blocks encoded, hashed and written as one file
 * per page, then read, hashed and decoded, against writing and reading the raw column bytes as
 * the same number of files. What the engine adds (metadata, commits) comes on top.
 */
function filesTable(): void {
  const series = quick ? 10 : 100
  const rows = 100_000
  const dir = mkdtempSync(join(tmpdir(), 'varve-codec-bench-'))
  const widths = [18, 6, 9, 9, 9, 9, 9, 9]
  console.log(
    `\n## W1 through files: ${series} series × ${rows} rows (raw ${((series * rows * 16) / 1e6).toFixed(0)} MB)\n`,
  )
  console.log(row(['walk', 'page', 'raw wr', 'wr ×raw', 'raw rd', 'rd ×raw', 'enc MB/s', 'dec MB/s'], widths))
  try {
    for (const [name, start, step] of [
      ['100 + N(0,0.01)', 100, 0.01],
      ['100 + N(0,1)', 100, 1],
    ] as const) {
      const stamps = DATA_SETS[0]!
      const columns = Array.from({ length: series }, (_, s) => ({
        times: stamps.make(rows, s) as BigInt64Array,
        values: walk(start, step)(rows, s + 1),
      }))
      for (const page of PAGE_SIZES) {
        const pages: { times: BigInt64Array; values: Float64Array }[] = []
        for (const { times, values } of columns) {
          for (let at = 0; at < rows; at += page) {
            const end = Math.min(rows, at + page)
            pages.push({ times: times.subarray(at, end), values: values.subarray(at, end) })
          }
        }
        const encoded = pages.map((p) => [
          encodeColumn('timestamp[ms]', p.times),
          encodeColumn('float64', p.values),
        ])
        const rawBytes = series * rows * 16
        const rawWrite = seconds(() => {
          pages.forEach((p, i) => {
            writeFileSync(
              join(dir, `raw-${i}`),
              new Uint8Array(p.times.buffer, p.times.byteOffset, p.times.byteLength),
            )
            writeFileSync(
              join(dir, `raw-${i}v`),
              new Uint8Array(p.values.buffer, p.values.byteOffset, p.values.byteLength),
            )
          })
        })
        const rawRead = seconds(() => {
          for (let i = 0; i < pages.length; i++) {
            readFileSync(join(dir, `raw-${i}`))
            readFileSync(join(dir, `raw-${i}v`))
          }
        })
        const write = seconds(() => {
          pages.forEach((p, i) => {
            const t = encodeColumn('timestamp[ms]', p.times)
            const v = encodeColumn('float64', p.values)
            sha256(t)
            sha256(v)
            writeFileSync(join(dir, `enc-${i}`), t)
            writeFileSync(join(dir, `enc-${i}v`), v)
          })
        })
        const read = seconds(() => {
          pages.forEach((p, i) => {
            const t = readFileSync(join(dir, `enc-${i}`))
            const v = readFileSync(join(dir, `enc-${i}v`))
            sha256(t)
            sha256(v)
            decodeColumn('timestamp[ms]', t, p.times.length)
            decodeColumn('float64', v, p.values.length)
          })
        })
        const encodeOnly = seconds(() => {
          for (const p of pages) {
            encodeColumn('timestamp[ms]', p.times)
            encodeColumn('float64', p.values)
          }
        })
        const decodeOnly = seconds(() => {
          pages.forEach((p, i) => {
            decodeColumn('timestamp[ms]', encoded[i]![0]!, p.times.length)
            decodeColumn('float64', encoded[i]![1]!, p.values.length)
          })
        })
        console.log(
          row(
            [
              name,
              page,
              `${(rawWrite * 1000).toFixed(0)} ms`,
              (write / rawWrite).toFixed(2),
              `${(rawRead * 1000).toFixed(0)} ms`,
              (read / rawRead).toFixed(2),
              (rawBytes / encodeOnly / 1e6).toFixed(0),
              (rawBytes / decodeOnly / 1e6).toFixed(0),
            ],
            widths,
          ),
        )
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

codecTable()
w1Table()
pricesTable()
filesTable()
transformTable()
