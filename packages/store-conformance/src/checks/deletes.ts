import { compareKeys } from '@varve/core'
import { ensure, ensureBytes, ensureKeys } from '../assert.ts'
import { utf8 } from '../bytes.ts'
import type { ConformanceCheck } from '../check.ts'
import { listAll, putMany } from '../store-helpers.ts'
import { MANY_KEYS } from './listing.ts'

const group = 'deletes'

async function ensureAbsent(store: Parameters<typeof putMany>[0], keys: readonly string[], what: string) {
  for (const key of keys) {
    const got = await store.get(key)
    ensure(
      got === undefined,
      () => `get(${JSON.stringify(key)}) ${what} returned ${got?.length} bytes, not undefined`,
    )
  }
}

export const deleteChecks: readonly ConformanceCheck[] = [
  {
    group,
    // DeleteObjects takes at most 1000 keys: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
    name: `one call deletes ${MANY_KEYS.toLocaleString('en')} keys (more than one S3 DeleteObjects batch)`,
    async run({ store, prefix }) {
      const keys = Array.from({ length: MANY_KEYS }, (_, i) => `${prefix}many/${String(i).padStart(5, '0')}`)
      const kept = `${prefix}kept`
      await putMany(store, [...keys, kept], utf8)
      await store.delete(keys)
      ensureKeys(await listAll(store, prefix), [kept], 'list after deleting every key but one')
      const sample = keys.filter((_, i) => i % 97 === 0 || i === keys.length - 1)
      await ensureAbsent(store, sample, 'after the delete')
      ensureBytes(await store.get(kept), utf8(kept), 'get of the key the delete left alone')
    },
  },
  {
    group,
    name: 'delete is idempotent: absent keys, keys deleted twice and an empty batch are fine',
    async run({ store, prefix }) {
      const key = `${prefix}once`
      await store.put(key, utf8(key))
      await store.delete([key])
      await store.delete([key])
      await store.delete([`${prefix}never-written`, `${prefix}never/written/either`])
      await store.delete([])
      await ensureAbsent(store, [key], 'after deleting it twice')
    },
  },
  {
    group,
    name: 'get, getRange and list after a delete no longer see the key; its neighbours stay',
    async run({ store, prefix }) {
      const keys = ['a/1', 'a/2', 'a/3', 'a-b', 'b/1'].map((k) => prefix + k)
      const gone = [`${prefix}a/2`, `${prefix}a-b`]
      await putMany(store, keys, utf8)
      await store.delete(gone)
      await ensureAbsent(store, gone, 'after its delete')
      if (store.capabilities.rangeRead) {
        for (const key of gone) {
          const got = await store.getRange(key, { offset: 0, length: 1 })
          ensure(
            got === undefined,
            () => `getRange(${JSON.stringify(key)}) after its delete returned ${got?.length} bytes`,
          )
        }
      }
      const remaining = keys.filter((k) => !gone.includes(k)).sort(compareKeys)
      ensureKeys(await listAll(store, prefix), remaining, 'list after the delete')
      ensureKeys(
        await listAll(store, `${prefix}a/`),
        [`${prefix}a/1`, `${prefix}a/3`],
        'list of "a/" after the delete',
      )
      for (const key of remaining) ensureBytes(await store.get(key), utf8(key), `get of neighbour ${key}`)
    },
  },
]
