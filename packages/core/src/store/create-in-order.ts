import { VarveError } from '../errors/varve-error.ts'
import type { Store } from './store.ts'

/**
 * Creates the objects in order, each durable before the next becomes visible
 * (see `Store.createInOrder`): through the store's own fast path when it has
 * one, else with `create` one at a time. A key that already holds an object
 * is left as it is (`false` in the result; `true` where this call created
 * it). `onCreated` is called as each entry lands, in order. Other errors are thrown as `create` throws them; the objects created
 * before stay.
 */
export async function createInOrder(
  store: Store,
  entries: readonly (readonly [key: string, bytes: Uint8Array])[],
  onCreated?: (index: number, created: boolean) => void,
): Promise<boolean[]> {
  if (entries.length === 0) return []
  if (store.createInOrder) return store.createInOrder(entries, onCreated)
  const created: boolean[] = []
  for (const [i, [key, bytes]] of entries.entries()) {
    try {
      await store.create(key, bytes)
      created.push(true)
    } catch (error) {
      if (!VarveError.is(error, 'AlreadyExists') && !VarveError.is(error, 'PreconditionFailed')) throw error
      created.push(false)
    }
    onCreated?.(i, created[i]!)
  }
  return created
}
