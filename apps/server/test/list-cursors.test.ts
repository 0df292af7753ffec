import { createInstrumentedStore, createMemoryStore } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { ListCursors } from '../src/list-cursors.ts'

async function storeWith(count: number) {
  const store = createInstrumentedStore(createMemoryStore())
  for (let i = 0; i < count; i++) await store.put(`k/${String(i).padStart(5, '0')}`, new Uint8Array([1]))
  return store
}

describe('paged listings', () => {
  it('continue one listing from page to page: 2,500 keys in 3 pages cost one store listing', async () => {
    const store = await storeWith(2500)
    const cursors = new ListCursors()
    const keys: string[] = []
    let after: string | undefined
    let pages = 0
    do {
      const page = await cursors.page(store, 'k/', after, 1000)
      keys.push(...page.keys)
      after = page.next
      pages++
    } while (after !== undefined)
    cursors.close()
    expect(pages).toBe(3)
    expect(keys).toEqual(Array.from({ length: 2500 }, (_, i) => `k/${String(i).padStart(5, '0')}`))
    expect(store.stats().list.requests).toBe(1)
  })

  it('a page whose listing is not kept (another server, expired) lists afresh after the key', async () => {
    const store = await storeWith(30)
    const cursors = new ListCursors()
    const page = await cursors.page(store, 'k/', 'k/00009', 5)
    expect(page).toEqual({ keys: ['k/00010', 'k/00011', 'k/00012', 'k/00013', 'k/00014'], next: 'k/00014' })
    const other = new ListCursors()
    expect((await other.page(store, 'k/', 'k/00014', 100)).keys).toHaveLength(15)
    expect(store.stats().list.requests).toBe(2)
    cursors.close()
    other.close()
  })

  it('the last page has no next; an exactly full last page is followed by an empty one', async () => {
    const store = await storeWith(4)
    const cursors = new ListCursors()
    const first = await cursors.page(store, 'k/', undefined, 4)
    expect(first.next).toBe('k/00003')
    expect(await cursors.page(store, 'k/', first.next, 4)).toEqual({ keys: [] })
  })
})
