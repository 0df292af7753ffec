import { ensureBytes, ensureRejects } from '../assert.ts'
import { payload } from '../bytes.ts'
import type { ConformanceCheck } from '../check.ts'

const group = 'create-only'

/** Either code means "the key was taken": backends report a lost condition one way or the other. */
export const TAKEN = ['AlreadyExists', 'PreconditionFailed'] as const

export const createOnlyChecks: readonly ConformanceCheck[] = [
  {
    group,
    name: 'create on an absent key writes the object',
    async run({ store, prefix }) {
      const key = `${prefix}new`
      const bytes = payload('created', 1000)
      await store.create(key, bytes)
      ensureBytes(await store.get(key), bytes, 'get after create')
    },
  },
  {
    group,
    name: 'create on an existing key throws AlreadyExists or PreconditionFailed and leaves the bytes unchanged',
    async run({ store, prefix }) {
      for (const [how, size] of [
        ['put', 500],
        ['create', 500],
        ['put', 0],
      ] as const) {
        const key = `${prefix}taken-by-${how}-${size}`
        const bytes = payload(how, size)
        await store[how](key, bytes)
        const call = `create(${JSON.stringify(key)}) over an object of ${size} bytes written by ${how}`
        await ensureRejects(() => store.create(key, payload('intruder', 700)), TAKEN, call)
        ensureBytes(await store.get(key), bytes, `get after the refused ${call}`)
      }
    },
  },
  {
    group,
    name: 'create after a delete of the key writes again',
    async run({ store, prefix }) {
      const key = `${prefix}recycled`
      await store.create(key, payload('first', 300))
      await store.delete([key])
      const second = payload('second', 200)
      await store.create(key, second)
      ensureBytes(await store.get(key), second, 'get after create, delete, create')
    },
  },
]
