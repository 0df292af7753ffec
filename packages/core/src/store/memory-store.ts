import { compareKeys, validateKey, validatePrefix, validateRange } from './keys.ts'
import type { ByteRange, Store, StoreCapabilities } from './store.ts'
import { alreadyExists } from './store-errors.ts'

/**
 * An in-process store: a map of keys to bytes. For tests, scratch work and as the
 * reference implementation of the contract. Objects are copied in and out, so a
 * caller mutating its buffer never changes what is stored.
 */
export function createMemoryStore(options: { description?: string } = {}): Store {
  const objects = new Map<string, Uint8Array>()
  const capabilities: StoreCapabilities = { atomicCreate: true, rangeRead: true }

  return {
    description: options.description ?? 'memory://',
    capabilities,

    async get(key) {
      const bytes = objects.get(validateKey(key))
      return bytes?.slice()
    },

    async readInto(key, target) {
      const bytes = objects.get(validateKey(key))
      if (bytes === undefined) return undefined
      const count = Math.min(bytes.length, target.length)
      target.set(bytes.subarray(0, count))
      return count
    },

    async getRange(key, range: ByteRange) {
      validateRange(range)
      const bytes = objects.get(validateKey(key))
      return bytes?.slice(range.offset, range.offset + range.length)
    },

    async put(key, bytes) {
      objects.set(validateKey(key), Uint8Array.from(bytes))
    },

    async create(key, bytes) {
      validateKey(key)
      if (objects.has(key)) throw alreadyExists(key)
      objects.set(key, Uint8Array.from(bytes))
    },

    async *list(prefix) {
      validatePrefix(prefix)
      const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys)
      yield* keys
    },

    async delete(keys) {
      for (const key of keys) validateKey(key)
      for (const key of keys) objects.delete(key)
    },
  }
}
