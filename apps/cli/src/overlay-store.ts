import { type ByteRange, compareKeys, createMemoryStore, type Store, VarveError } from '@varve/core'

/**
 * A store that reads through to `base` and keeps every write in memory: what a
 * command would write, without writing it (`merge --dry-run`). Listings merge
 * both, in key order; deletes are refused, since nothing is to be removed in a dry run.
 */
export function createOverlayStore(base: Store): Store {
  const top = createMemoryStore({ description: base.description })
  return {
    description: base.description,
    capabilities: base.capabilities,
    async get(key) {
      return (await top.get(key)) ?? base.get(key)
    },
    async getRange(key: string, range: ByteRange) {
      return (await top.get(key)) === undefined ? base.getRange(key, range) : top.getRange(key, range)
    },
    put: (key, bytes) => top.put(key, bytes),
    async create(key, bytes) {
      if ((await base.get(key)) !== undefined) {
        throw new VarveError('AlreadyExists', `${key} already exists in ${base.description}.`, {
          details: { key },
        })
      }
      await top.create(key, bytes)
    },
    async *list(prefix) {
      const below = base.list(prefix)[Symbol.asyncIterator]()
      const above = top.list(prefix)[Symbol.asyncIterator]()
      let a = await below.next()
      let b = await above.next()
      while (!a.done || !b.done) {
        if (b.done || (!a.done && compareKeys(a.value, b.value) < 0)) {
          yield a.value as string
          a = await below.next()
        } else if (a.done || compareKeys(a.value, b.value) > 0) {
          yield b.value
          b = await above.next()
        } else {
          yield a.value
          a = await below.next()
          b = await above.next()
        }
      }
    },
    async delete() {
      throw new VarveError('Unsupported', 'A dry run deletes nothing.')
    },
  }
}
