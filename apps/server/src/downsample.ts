/** Points to draw: x and y of equal length, in x order. */
export interface Points {
  readonly x: Float64Array
  readonly y: Float64Array
}

/**
 * Keeps the first, the minimum, the maximum and the last point of each of `buckets` equal spans of
 * x (one pixel column each), in x order, so the drawn line shows every spike and the level where
 * each column starts and ends: at most 4 points per bucket, whatever the input size. NaN values are
 * skipped. Input with no more than 4 points per bucket is returned as it is. `x` must be sorted.
 */
export function downsampleMinMax(x: Float64Array, y: Float64Array, buckets: number): Points {
  const n = x.length
  if (n <= buckets * 4 || n < 2) return { x, y }
  const x0 = x[0]!
  const span = x[n - 1]! - x0 || 1
  const outX: number[] = []
  const outY: number[] = []
  let i = 0
  while (i < n) {
    const bucket = Math.min(buckets - 1, Math.floor(((x[i]! - x0) / span) * buckets))
    let first = -1
    let last = -1
    let min = -1
    let max = -1
    for (; i < n && Math.min(buckets - 1, Math.floor(((x[i]! - x0) / span) * buckets)) === bucket; i++) {
      const v = y[i]!
      if (Number.isNaN(v)) continue
      if (first < 0) first = i
      last = i
      if (min < 0 || v < y[min]!) min = i
      if (max < 0 || v > y[max]!) max = i
    }
    if (first < 0) continue
    for (const j of [...new Set([first, min, max, last])].sort((a, b) => a - b)) {
      outX.push(x[j]!)
      outY.push(y[j]!)
    }
  }
  return { x: Float64Array.from(outX), y: Float64Array.from(outY) }
}
