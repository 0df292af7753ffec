import { compareKeys, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { type BlobPage, ByteOrder, listKeys } from '../src/list.ts'

const fail = (message: string) => new VarveError('StoreFailure', message)
const utf16 = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** A small seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

// Characters on both sides of the difference between the orders: ASCII, below and above the surrogates, astral.
const alphabet = ['a', 'b', '/', '~', 'é', '\u{d7ff}', '\u{e000}', '\u{fffd}', '😀', '𝄞', '日']

function randomKeys(next: () => number, count: number): string[] {
  const keys = new Set<string>()
  while (keys.size < count) {
    const length = 1 + Math.floor(next() * 5)
    keys.add(Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''))
  }
  return [...keys]
}

function reorder(keys: readonly string[]): string[] {
  const order = new ByteOrder(fail)
  return [...keys.flatMap((key) => order.push(key)), ...order.end()]
}

describe('ByteOrder', () => {
  it('turns a stream in UTF-16 order (Azurite) or in UTF-8 order into UTF-8 order', () => {
    const next = random(7)
    for (let round = 0; round < 200; round++) {
      const keys = randomKeys(next, 1 + Math.floor(next() * 40))
      const expected = [...keys].sort(compareKeys)
      expect(reorder([...keys].sort(utf16))).toEqual(expected)
      expect(reorder(expected)).toEqual(expected)
    }
  })

  it('fixes the case that differs: an astral character against U+E000..U+FFFF', () => {
    expect(reorder(['a😀', 'a😀z', 'a\u{e000}', 'b'])).toEqual(['a\u{e000}', 'a😀', 'a😀z', 'b'])
  })

  it('holds back only keys the rest of the stream may still precede', () => {
    const order = new ByteOrder(fail)
    expect(order.push('a/1')).toEqual(['a/1'])
    expect(order.push('a/2')).toEqual(['a/2'])
    // Astral at index 2: a key starting with "a/" may still come and sort first in UTF-8.
    expect(order.push('a/😀')).toEqual([])
    expect(order.push('a/😀x')).toEqual([])
    expect(order.push('a/\u{e000}')).toEqual(['a/\u{e000}'])
    expect(order.push('b')).toEqual(['a/😀', 'a/😀x', 'b'])
    expect(order.end()).toEqual([])
  })

  it('refuses a stream in neither order, or with a key twice', () => {
    const order = new ByteOrder(fail)
    order.push('b')
    expect(() => order.push('a')).toThrow(/listed "a" after "b", out of order/)
    const twice = new ByteOrder(fail)
    twice.push('a')
    expect(() => twice.push('a')).toThrow(VarveError)
  })
})

describe('listKeys', () => {
  it('follows the markers page by page, strips the prefix and skips names that are not keys', async () => {
    const pages: Record<string, BlobPage> = {
      start: { names: ['p/a', 'p/b/.hidden', 'p/b/c'], next: 'm1' },
      m1: { names: [], next: 'm2' },
      m2: { names: ['p/b//d', 'p/😀', 'p/\u{e000}'], next: '' },
    }
    const markers: (string | undefined)[] = []
    const keys: string[] = []
    const fetchPage = async (marker: string | undefined) => {
      markers.push(marker)
      return pages[marker ?? 'start'] as BlobPage
    }
    for await (const key of listKeys(fetchPage, 'p/', fail)) keys.push(key)
    expect(markers).toEqual([undefined, 'm1', 'm2'])
    expect(keys).toEqual(['a', 'b/c', '\u{e000}', '😀'])
  })
})
