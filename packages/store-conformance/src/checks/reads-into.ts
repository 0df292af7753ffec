import type { Store } from '@varve/core'
import { ensure, ensureBytes, ensureRejects } from '../assert.ts'
import { payload } from '../bytes.ts'
import type { CheckContext, ConformanceCheck } from '../check.ts'

const group = 'reads into a buffer'
const SIZE = 5000
/** Bytes a target starts with, so that a store writing past what it reports is caught. */
const FILL = 0xa5

/**
 * `readInto` is optional: a store without it must not hold anything else under that name (the
 * engine calls it when it is a function), and every check below asks that of it; one with it
 * must read exactly as `get` does, into the caller's buffer.
 */
function readIntoCheck(
  name: string,
  run: (readInto: NonNullable<Store['readInto']>, context: CheckContext) => Promise<void>,
): ConformanceCheck {
  return {
    group,
    name: `${name} (when the store offers readInto)`,
    async run(context) {
      const { readInto } = context.store
      if (readInto === undefined) return
      ensure(
        typeof readInto === 'function',
        `store.readInto is ${typeof readInto}; expected a function or nothing`,
      )
      await run(readInto.bind(context.store), context)
    },
  }
}

function target(size: number): Uint8Array {
  return new Uint8Array(size).fill(FILL)
}

/** Fails unless `buffer` holds `expected` from byte 0 and is untouched after it. */
function ensureFilled(buffer: Uint8Array, expected: Uint8Array, what: string): void {
  ensureBytes(buffer.subarray(0, expected.length), expected, what)
  const touched = buffer.subarray(expected.length).findIndex((b) => b !== FILL)
  ensure(touched === -1, () => `${what}: byte ${expected.length + touched} past the object's end was written`)
}

export const readIntoChecks: readonly ConformanceCheck[] = [
  readIntoCheck(
    'a buffer longer than the object gets all of it and its length',
    async (readInto, context) => {
      const key = `${context.prefix}object`
      const bytes = payload('into', SIZE)
      await context.store.put(key, bytes)
      const buffer = target(SIZE + 100)
      const count = await readInto(key, buffer)
      ensure(
        count === SIZE,
        `readInto of a ${SIZE}-byte object into ${buffer.length} bytes returned ${count}`,
      )
      ensureFilled(buffer, bytes, `readInto(${JSON.stringify(key)})`)
    },
  ),
  readIntoCheck(
    'a buffer shorter than the object gets its first bytes, and their count',
    async (readInto, context) => {
      const key = `${context.prefix}object`
      const bytes = payload('into', SIZE)
      await context.store.put(key, bytes)
      for (const length of [SIZE, SIZE - 1, 10, 0]) {
        const buffer = target(length)
        const count = await readInto(key, buffer)
        ensure(count === length, `readInto of a ${SIZE}-byte object into ${length} bytes returned ${count}`)
        ensureBytes(
          buffer,
          bytes.subarray(0, length),
          `readInto(${JSON.stringify(key)}) into ${length} bytes`,
        )
      }
    },
  ),
  readIntoCheck('a view into a larger buffer is filled from its own start', async (readInto, context) => {
    const key = `${context.prefix}object`
    const bytes = payload('into', SIZE)
    await context.store.put(key, bytes)
    const whole = target(SIZE + 200)
    const count = await readInto(key, whole.subarray(100, SIZE + 150))
    ensure(count === SIZE, `readInto into a view returned ${count}, expected ${SIZE}`)
    ensure(
      whole.subarray(0, 100).every((b) => b === FILL),
      'readInto into a view wrote before the start of the view',
    )
    ensureFilled(whole.subarray(100), bytes, `readInto(${JSON.stringify(key)}) into a view`)
  }),
  readIntoCheck('an empty object reads as 0 bytes; a missing key as undefined', async (readInto, context) => {
    const key = `${context.prefix}empty`
    await context.store.put(key, new Uint8Array(0))
    const buffer = target(10)
    const count = await readInto(key, buffer)
    ensure(count === 0, `readInto of an empty object returned ${count}, expected 0`)
    ensureFilled(buffer, new Uint8Array(0), `readInto(${JSON.stringify(key)})`)
    const missing = await readInto(`${context.prefix}missing`, target(10))
    ensure(missing === undefined, `readInto of a missing key returned ${missing}, expected undefined`)
  }),
  readIntoCheck('an invalid key throws InvalidKey', async (readInto, context) => {
    for (const key of ['', `/${context.prefix}leading-slash`, `${context.prefix}a/../dot-dot`]) {
      await ensureRejects(() => readInto(key, target(10)), ['InvalidKey'], `readInto(${JSON.stringify(key)})`)
    }
  }),
]
