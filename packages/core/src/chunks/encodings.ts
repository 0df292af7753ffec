/**
 * The encoding ids, the first byte of every column block. Stored in the
 * repository: never renumber, only add.
 */
export const Encoding = {
  /** Numbers as they are, in byte planes. */
  Planes: 1,
  /** Integers and timestamps: first value, then delta + zigzag in byte planes. */
  Delta: 2,
  /** Floats: order-mapped bit patterns, then as `Delta` (distances in ulps). */
  FloatDelta: 3,
  /** Floats that are all k / 10^d: d, exceptions, then k as `Delta`. */
  Decimal: 4,
  /** Booleans: one bit-packed byte plane. */
  Bits: 5,
  /** Strings: code-unit lengths in byte planes, then the joined text. */
  Text: 6,
  /** Strings: a dictionary of distinct values as `Text`, then indices in byte planes. */
  Dictionary: 7,
} as const

export type EncodingId = (typeof Encoding)[keyof typeof Encoding]

export function encodingName(id: number): string {
  for (const [name, value] of Object.entries(Encoding)) if (value === id) return name
  return `unknown(${id})`
}
