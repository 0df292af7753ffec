import { compareKeys, type Store } from '@varve/core'

/** How long a listing left open between two pages is kept. */
const CURSOR_TTL_MS = 30_000
/** Listings kept open at once; the oldest is closed past this. */
const MAX_CURSORS = 32

interface Cursor {
  readonly iterator: AsyncIterator<string>
  timer: NodeJS.Timeout
}

/**
 * Pages of `store.list(prefix)`. A page ends with `next` (its last key); the listing stays open
 * for a while under (prefix, next), so the page that asks `after=next` continues it instead of
 * listing from the start again (a paged listing of n keys costs O(n), not O(n²)). A page whose
 * listing is gone (expired, another server) lists afresh and skips to `after`.
 */
export class ListCursors {
  readonly #open = new Map<string, Cursor>()

  async page(store: Store, prefix: string, after: string | undefined, limit: number) {
    const id = (key: string) => `${prefix}\u0000${key}`
    let iterator: AsyncIterator<string>
    const kept = after === undefined ? undefined : this.#open.get(id(after))
    if (kept !== undefined) {
      this.#open.delete(id(after!))
      clearTimeout(kept.timer)
      iterator = kept.iterator
    } else {
      iterator = store.list(prefix)[Symbol.asyncIterator]()
    }
    const keys: string[] = []
    for (;;) {
      if (keys.length === limit) {
        this.#keep(id(keys.at(-1)!), iterator)
        return { keys, next: keys.at(-1) }
      }
      const step = await iterator.next()
      if (step.done) return { keys }
      if (after !== undefined && kept === undefined && compareKeys(step.value, after) <= 0) continue
      keys.push(step.value)
    }
  }

  /** Closes every open listing (the server is stopping). */
  close(): void {
    for (const cursor of this.#open.values()) this.#drop(cursor)
    this.#open.clear()
  }

  #keep(id: string, iterator: AsyncIterator<string>): void {
    if (this.#open.size >= MAX_CURSORS) {
      const [oldest, cursor] = this.#open.entries().next().value as [string, Cursor]
      this.#open.delete(oldest)
      this.#drop(cursor)
    }
    const timer = setTimeout(() => {
      if (this.#open.get(id)?.iterator === iterator) this.#open.delete(id)
      void iterator.return?.()
    }, CURSOR_TTL_MS)
    timer.unref()
    this.#open.set(id, { iterator, timer })
  }

  #drop(cursor: Cursor): void {
    clearTimeout(cursor.timer)
    void cursor.iterator.return?.()
  }
}
