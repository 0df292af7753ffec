import { compareKeys } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { inUtf8Order, pagedNames } from '../src/list.ts'

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const key of keys) out.push(key)
  return out
}

async function* from(keys: readonly string[]): AsyncGenerator<string> {
  yield* keys
}

const utf16 = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** A small random generator with a seed, so that a failure repeats. */
function mulberry32(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Characters where UTF-8 and UTF-16 orders disagree (U+E000..U+FFFF against U+10000 and up), and plain ones.
const alphabet = ['a', 'b', '/', '-', 'é', '\uE000', '\uFF5E', '\uFFFD', '😀', '🙂', '\u{10000}', '日']

function randomKeys(random: () => number, count: number): string[] {
  const keys = new Set<string>()
  while (keys.size < count) {
    const length = 1 + Math.floor(random() * 6)
    keys.add(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''))
  }
  return [...keys]
}

describe('inUtf8Order', () => {
  it('turns a listing in UTF-16 code-unit order (the Firebase emulator’s) into UTF-8 byte order', async () => {
    const keys = ['a/z', 'a/😀x', 'a/\uE000y', 'a/\uFF5E', 'a/🙂', 'b']
    expect(await collect(inUtf8Order(from([...keys].sort(utf16))))).toEqual([...keys].sort(compareKeys))
    expect([...keys].sort(utf16)).not.toEqual([...keys].sort(compareKeys))
  })

  it('leaves a listing already in UTF-8 order (Cloud Storage’s) as it is', async () => {
    const keys = ['a/z', 'a/😀x', 'a/\uE000y', 'a/\uFF5E', 'a/🙂', 'b'].sort(compareKeys)
    expect(await collect(inUtf8Order(from(keys)))).toEqual(keys)
  })

  it('orders random listings of tricky keys from either order', async () => {
    const random = mulberry32(20_260_101)
    for (let round = 0; round < 200; round++) {
      const keys = randomKeys(random, 1 + Math.floor(random() * 40))
      const expected = [...keys].sort(compareKeys)
      expect(await collect(inUtf8Order(from([...keys].sort(utf16))))).toEqual(expected)
      expect(await collect(inUtf8Order(from(expected)))).toEqual(expected)
    }
  })

  it('releases keys as it goes, holding back only keys whose start the listing is still running through', async () => {
    const seen: string[] = []
    async function* tracked(): AsyncGenerator<string> {
      for (const key of ['a', 'b', 'c😀', 'c😀a', 'c\uE000', 'd']) {
        seen.push(key)
        yield key
      }
    }
    const released: [string, number][] = []
    for await (const key of inUtf8Order(tracked())) released.push([key, seen.length])
    expect(released).toEqual([
      ['a', 1],
      ['b', 2],
      ['c\uE000', 5],
      ['c😀', 6],
      ['c😀a', 6],
      ['d', 6],
    ])
  })
})

describe('pagedNames', () => {
  it('fetches page after page, one at a time, as the caller iterates', async () => {
    const pages: Record<string, { names: string[]; nextPageToken?: string }> = {
      first: { names: ['a', 'b'], nextPageToken: 'second' },
      second: { names: [], nextPageToken: 'third' },
      third: { names: ['c'] },
    }
    const asked: (string | undefined)[] = []
    const names = pagedNames(async (token) => {
      asked.push(token)
      return pages[token ?? 'first']!
    })
    const iterator = names[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toBe('a')
    expect(asked).toEqual([undefined])
    expect(await collect({ [Symbol.asyncIterator]: () => iterator })).toEqual(['b', 'c'])
    expect(asked).toEqual([undefined, 'second', 'third'])
  })
})
