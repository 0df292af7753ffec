import type { ByteRange } from '@varve/core'
import { ensureBytes, ensureRejects } from '../assert.ts'
import { payload } from '../bytes.ts'
import type { CheckContext, ConformanceCheck } from '../check.ts'

const group = 'ranged reads'
const SIZE = 1000

/**
 * Writes a {@link SIZE}-byte object, then reads each range: when the store declares `rangeRead`, each
 * must return exactly `bytes.slice(offset, offset + length)`; when it does not, each must throw
 * Unsupported (the object exists, so a store that serves ranges anyway fails).
 */
function rangeCheck(name: string, ranges: readonly ByteRange[], size = SIZE): ConformanceCheck {
  return {
    group,
    name: `${name} (Unsupported when rangeRead is false)`,
    async run({ store, prefix }: CheckContext) {
      const key = `${prefix}object`
      const bytes = payload('ranged', size)
      await store.put(key, bytes)
      for (const range of ranges) {
        const call = `getRange(${JSON.stringify(key)}, ${JSON.stringify(range)}) of a ${size}-byte object`
        if (!store.capabilities.rangeRead) {
          await ensureRejects(() => store.getRange(key, range), ['Unsupported'], call)
          continue
        }
        const expected = bytes.slice(range.offset, range.offset + range.length)
        ensureBytes(await store.getRange(key, range), expected, call)
      }
    },
  }
}

const invalidRanges: readonly ByteRange[] = [
  { offset: -1, length: 10 },
  { offset: 0, length: -1 },
  { offset: 1.5, length: 10 },
  { offset: 0, length: 2.5 },
  { offset: Number.NaN, length: 10 },
  { offset: 0, length: Number.POSITIVE_INFINITY },
]

export const rangedReadChecks: readonly ConformanceCheck[] = [
  rangeCheck('a range inside the object returns exactly its bytes', [
    { offset: 100, length: 200 },
    { offset: 0, length: 1 },
    { offset: 0, length: 10 },
    { offset: 999, length: 1 },
  ]),
  rangeCheck('a range ending at the last byte, and the whole object', [
    { offset: 990, length: 10 },
    { offset: 0, length: SIZE },
  ]),
  rangeCheck('a range past the end returns the shorter tail, or zero bytes from the end on', [
    { offset: 995, length: 100 },
    { offset: 0, length: 5000 },
    { offset: SIZE, length: 10 },
    { offset: 5000, length: 10 },
  ]),
  rangeCheck('a range of length 0 returns zero bytes', [
    { offset: 10, length: 0 },
    { offset: 0, length: 0 },
  ]),
  rangeCheck('a range of an empty object returns zero bytes', [{ offset: 0, length: 10 }], 0),
  {
    group,
    name: 'an invalid range (negative, fractional, NaN, infinite) throws InvalidArgument (Unsupported when rangeRead is false)',
    async run({ store, prefix }) {
      const key = `${prefix}object`
      await store.put(key, payload('ranged', SIZE))
      const codes = store.capabilities.rangeRead
        ? (['InvalidArgument'] as const)
        : (['InvalidArgument', 'Unsupported'] as const)
      for (const range of invalidRanges) {
        const call = `getRange(${JSON.stringify(key)}, { offset: ${range.offset}, length: ${range.length} })`
        await ensureRejects(() => store.getRange(key, range), codes, call)
      }
    },
  },
]
