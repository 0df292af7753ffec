import type { Store } from '@varve/core'
import { forEachLimited } from '@varve/core'

/** How many writes the kit keeps in flight when it fills a prefix with many keys. */
export const WRITE_CONCURRENCY = 32

/** Every key under `prefix`, in the order the store lists them. */
export async function listAll(store: Store, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.list(prefix)) keys.push(key)
  return keys
}

/** Puts every key with `bytesOf(key)`, {@link WRITE_CONCURRENCY} at a time. */
export async function putMany(store: Store, keys: readonly string[], bytesOf: (key: string) => Uint8Array) {
  await forEachLimited(keys, WRITE_CONCURRENCY, (key) => store.put(key, bytesOf(key)))
}

/** The keys in a random order, so a store cannot pass an ordering check by keeping insertion order. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}
