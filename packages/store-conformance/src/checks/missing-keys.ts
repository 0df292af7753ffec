import type { ErrorCode, Store } from '@varve/core'
import { ensure, ensureBytes, ensureKeys, ensureRejects } from '../assert.ts'
import { payload } from '../bytes.ts'
import type { CheckContext, ConformanceCheck } from '../check.ts'
import { listAll } from '../store-helpers.ts'

const group = 'missing keys'

/** Keys that break the key rules, each built around the check's prefix where the rule allows. */
function invalidKeys(prefix: string): [key: string, why: string][] {
  return [
    ['', 'empty'],
    [`/${prefix}leading-slash`, "leading '/'"],
    [`${prefix}a/../dot-dot`, "'..' segment"],
    [`${prefix}a/./dot`, "'.' segment"],
    [`${prefix}double//slash`, "'//'"],
    [`${prefix}nul\u0000char`, 'control character U+0000'],
    [`${prefix}newline\nchar`, 'control character U+000A'],
    [`${prefix}del\u007fchar`, 'control character U+007F'],
  ]
}

/** Prefixes that no valid key can start with (the empty prefix is valid: it means everything). */
function invalidPrefixes(prefix: string): [prefix: string, why: string][] {
  return [
    [`/${prefix}`, "leading '/'"],
    [`${prefix}a/../`, "'..' segment"],
    [`${prefix}nul\u0000`, 'control character U+0000'],
  ]
}

/** Fails unless nothing at all was written under the check's prefix. */
async function ensureNothingWritten(store: Store, prefix: string, what: string) {
  ensureKeys(await listAll(store, prefix), [], `keys under ${JSON.stringify(prefix)} after ${what}`)
}

/** Each keyed operation, called on one key. */
const keyedCalls = {
  get: (store: Store, key: string) => store.get(key),
  getRange: (store: Store, key: string) => store.getRange(key, { offset: 0, length: 4 }),
  put: (store: Store, key: string) => store.put(key, payload('put', 16)),
  create: (store: Store, key: string) => store.create(key, payload('create', 16)),
}

function rejectsInvalidKeys(op: keyof typeof keyedCalls, writes: boolean): ConformanceCheck {
  const rules = "(empty, leading '/', '.' and '..' segments, '//', control characters)"
  return {
    group,
    name: `${op} rejects invalid keys ${rules} with InvalidKey${writes ? ', writing nothing' : ''}`,
    async run({ store, prefix }: CheckContext) {
      // A store without ranged reads may refuse getRange before it looks at the key.
      const codes: ErrorCode[] =
        op === 'getRange' && !store.capabilities.rangeRead ? ['InvalidKey', 'Unsupported'] : ['InvalidKey']
      for (const [key, why] of invalidKeys(prefix)) {
        await ensureRejects(() => keyedCalls[op](store, key), codes, `${op}(${JSON.stringify(key)}) (${why})`)
      }
      if (writes) await ensureNothingWritten(store, prefix, `${op} with invalid keys`)
    },
  }
}

export const missingKeyChecks: readonly ConformanceCheck[] = [
  {
    group,
    name: 'get of a missing key returns undefined, also where a longer key or a sibling exists',
    async run({ store, prefix }) {
      await store.put(`${prefix}present`, payload('present', 8))
      await store.put(`${prefix}folder/child`, payload('child', 8))
      for (const key of [`${prefix}absent`, `${prefix}folder`, `${prefix}present/child`, `${prefix}presen`]) {
        const got = await store.get(key)
        ensure(
          got === undefined,
          () => `get(${JSON.stringify(key)}) of a missing key returned ${String(got)}`,
        )
      }
    },
  },
  {
    group,
    name: 'getRange of a missing key returns undefined (Unsupported when rangeRead is false)',
    async run({ store, prefix }) {
      await store.put(`${prefix}folder/child`, payload('child', 8))
      for (const key of [`${prefix}absent`, `${prefix}folder`]) {
        const range = { offset: 0, length: 4 }
        if (!store.capabilities.rangeRead) {
          await ensureRejects(
            () => store.getRange(key, range),
            ['Unsupported'],
            `getRange(${JSON.stringify(key)})`,
          )
          continue
        }
        const got = await store.getRange(key, range)
        ensure(
          got === undefined,
          () => `getRange(${JSON.stringify(key)}) of a missing key returned ${String(got)}`,
        )
      }
    },
  },
  rejectsInvalidKeys('get', false),
  rejectsInvalidKeys('getRange', false),
  rejectsInvalidKeys('put', true),
  rejectsInvalidKeys('create', true),
  {
    group,
    name: 'delete rejects a batch holding an invalid key with InvalidKey, deleting nothing',
    async run({ store, prefix }) {
      const kept = `${prefix}kept`
      const bytes = payload('kept', 16)
      await store.put(kept, bytes)
      for (const [key, why] of invalidKeys(prefix)) {
        await ensureRejects(
          () => store.delete([kept, key]),
          ['InvalidKey'],
          `delete([valid, ${JSON.stringify(key)}]) (${why})`,
        )
        ensureBytes(await store.get(kept), bytes, `get of the valid key after a rejected delete (${why})`)
      }
    },
  },
  {
    group,
    name: "list rejects invalid prefixes (leading '/', '..' segment, control characters) with InvalidKey",
    async run({ store, prefix }) {
      for (const [bad, why] of invalidPrefixes(prefix)) {
        await ensureRejects(
          () => listAll(store, bad),
          ['InvalidKey'],
          `list(${JSON.stringify(bad)}) (${why})`,
        )
      }
    },
  },
]
