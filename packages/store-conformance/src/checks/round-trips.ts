import { ensure, ensureBytes } from '../assert.ts'
import { payload } from '../bytes.ts'
import type { ConformanceCheck } from '../check.ts'
import { listAll } from '../store-helpers.ts'

const group = 'round trips'
const MiB = 1024 * 1024

export const roundTripChecks: readonly ConformanceCheck[] = [
  {
    group,
    name: 'put then get returns the bytes; overwrites (shorter, then longer) replace them whole',
    async run({ store, prefix }) {
      const key = `${prefix}object`
      for (const [label, size] of [
        ['first', 4096],
        ['shorter', 100],
        ['longer', 9000],
      ] as const) {
        const bytes = payload(label, size)
        await store.put(key, bytes)
        ensureBytes(await store.get(key), bytes, `get after put of the ${label} payload`)
      }
    },
  },
  {
    group,
    name: 'an empty object is stored, read back as zero bytes (not undefined) and listed',
    async run({ store, prefix }) {
      const key = `${prefix}empty`
      await store.put(key, new Uint8Array(0))
      ensureBytes(await store.get(key), new Uint8Array(0), 'get of an empty object')
      const listed = await listAll(store, prefix)
      ensure(listed.includes(key), () => `list(${JSON.stringify(prefix)}) omits the empty object: ${listed}`)
    },
  },
  {
    group,
    name: 'every byte value 0..255 survives',
    async run({ store, prefix }) {
      const key = `${prefix}binary`
      const ascending = Array.from({ length: 256 }, (_, i) => i)
      const bytes = Uint8Array.from([...ascending, ...ascending.reverse(), 0, 0, 13, 10, 255, 254, 0])
      await store.put(key, bytes)
      ensureBytes(await store.get(key), bytes, 'get of bytes 0..255, 255..0 and CR LF NUL sequences')
    },
  },
  {
    group,
    name: 'a 5 MiB object round-trips intact',
    async run({ store, prefix }) {
      const key = `${prefix}large`
      const bytes = payload('large', 5 * MiB)
      await store.put(key, bytes)
      ensureBytes(await store.get(key), bytes, 'get of a 5 MiB object')
    },
  },
  {
    group,
    name: 'put of a view into a larger buffer stores only the bytes of the view',
    async run({ store, prefix }) {
      const key = `${prefix}view`
      const backing = payload('backing', 1000)
      const view = backing.subarray(100, 300)
      await store.put(key, view)
      ensureBytes(await store.get(key), view.slice(), 'get after put of a 200-byte view at offset 100')
    },
  },
  {
    group,
    name: 'returned bytes are a copy: mutating them does not change the store',
    async run({ store, prefix }) {
      const key = `${prefix}copy-out`
      const bytes = payload('copy-out', 256)
      await store.put(key, bytes)
      const first = await store.get(key)
      ensureBytes(first, bytes, 'get')
      first.fill(0)
      ensureBytes(
        await store.get(key),
        bytes,
        'get after the caller zeroed the bytes a previous get returned',
      )
      if (store.capabilities.rangeRead) {
        const range = await store.getRange(key, { offset: 0, length: 64 })
        ensureBytes(range, bytes.subarray(0, 64), 'getRange')
        range.fill(0)
        ensureBytes(await store.get(key), bytes, 'get after the caller zeroed the bytes getRange returned')
      }
    },
  },
  {
    group,
    name: 'put and create copy the caller’s bytes: mutating the buffer afterwards does not change the store',
    async run({ store, prefix }) {
      for (const op of ['put', 'create'] as const) {
        const key = `${prefix}copy-in-${op}`
        const bytes = payload(op, 256)
        const expected = bytes.slice()
        await store[op](key, bytes)
        bytes.fill(0)
        ensureBytes(
          await store.get(key),
          expected,
          `get after the caller zeroed the buffer it passed to ${op}`,
        )
      }
    },
  },
]
