/** Deterministic data for the benchmarks: a seeded PRNG so every run measures the same bytes. */
export function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

export const START_MS = Date.parse('2020-01-01T00:00:00Z')

/** Timestamps in ms, `stepMs` apart. */
export function timestamps(rows: number, offset = 0, stepMs = 1000): BigInt64Array {
  const out = new BigInt64Array(rows)
  for (let i = 0; i < rows; i++) out[i] = BigInt(START_MS + (offset + i) * stepMs)
  return out
}

/**
 * W1's values: a float64 random walk at full precision, starting at 100 with
 * N(0, sigma) steps, sigma 1 by default (no rounding: every bit of the mantissa is data).
 */
export function randomWalk(rows: number, seed: number, sigma = 1): Float64Array {
  const step = gaussian(prng(seed))
  const out = new Float64Array(rows)
  let x = 100
  for (let i = 0; i < rows; i++) {
    x += sigma * step()
    out[i] = x
  }
  return out
}

/** Prices with two decimals: a random walk of whole cents from 100.00. */
export function centPrices(rows: number, seed: number): Float64Array {
  const random = prng(seed)
  const out = new Float64Array(rows)
  let cents = 10_000
  for (let i = 0; i < rows; i++) {
    cents += Math.round((random() - 0.5) * 10)
    out[i] = cents / 100
  }
  return out
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
