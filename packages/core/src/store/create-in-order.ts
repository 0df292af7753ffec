import { VarveError } from '../errors/varve-error.ts'
import { validateConcurrency } from '../util/concurrency.ts'
import { forEachLimited } from '../util/for-each-limited.ts'
import type { CreateEntry, CreateInOrderOptions, Store } from './store.ts'

/**
 * Creates the objects level by level, every object of a level durable before
 * any of the next becomes visible (see `Store.createInOrder`): through the
 * store's own fast path when it has one, else with `create`, the entries of a
 * level `options.concurrency` (default 8) at once, and the next level once
 * every one of them is done. A key that already holds an object is left as it
 * is (`false` in the result; `true` where this call created it). Throws
 * `InvalidArgument` for a bad concurrency; other errors as `create` (or a
 * function giving an entry's bytes) throws them, once the entries in flight
 * have settled; the objects created before stay.
 */
export async function createInOrder(
  store: Store,
  levels: readonly (readonly CreateEntry[])[],
  options: CreateInOrderOptions = {},
): Promise<boolean[][]> {
  const concurrency = validateConcurrency(options.concurrency)
  if (levels.every((level) => level.length === 0)) return levels.map(() => [])
  if (store.createInOrder) return store.createInOrder(levels, { ...options, concurrency })
  const created = levels.map((level) => level.map(() => false))
  for (const [l, level] of levels.entries()) {
    await forEachLimited(level, concurrency, async ([key, bytes], i) => {
      try {
        await store.create(key, typeof bytes === 'function' ? await bytes() : bytes)
        created[l]![i] = true
      } catch (error) {
        if (!VarveError.is(error, 'AlreadyExists') && !VarveError.is(error, 'PreconditionFailed')) throw error
      }
      options.onCreated?.(l, i, created[l]![i]!)
    })
  }
  return created
}
