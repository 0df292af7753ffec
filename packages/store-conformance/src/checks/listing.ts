import { compareKeys } from '@varve/core'
import { ensure, ensureBytes, ensureKeys } from '../assert.ts'
import { utf8 } from '../bytes.ts'
import type { ConformanceCheck } from '../check.ts'
import { listAll, putMany, shuffled } from '../store-helpers.ts'

const group = 'listing'

/** More than the 1,000 keys of one S3 ListObjectsV2 or Azure List Blobs page. */
export const MANY_KEYS = 1_100

const sorted = (keys: readonly string[]) => [...keys].sort(compareKeys)

/** Writes each key holding its own name as bytes, in a random order. */
async function writeKeys(store: Parameters<typeof putMany>[0], keys: readonly string[]) {
  await putMany(store, shuffled(keys), utf8)
}

export const listingChecks: readonly ConformanceCheck[] = [
  {
    group,
    name: "a prefix ending in '/' lists its whole segment and nothing of sibling prefixes",
    async run({ store, prefix }) {
      const keys = ['sib/a', 'sib/b/c', 'sibling/a', 'sib-x', 'sib.x', 'si/b'].map((k) => prefix + k)
      await writeKeys(store, keys)
      ensureKeys(
        await listAll(store, `${prefix}sib/`),
        sorted([`${prefix}sib/a`, `${prefix}sib/b/c`]),
        'list of "sib/"',
      )
    },
  },
  {
    group,
    name: 'a prefix in the middle of a segment lists every key starting with it, the key itself included',
    async run({ store, prefix }) {
      const keys = ['ab/c', 'abc', 'abcd', 'abd/d/e', 'abd/f', 'ab-x', 'a/b', 'b'].map((k) => prefix + k)
      await writeKeys(store, keys)
      const under = (p: string) => sorted(keys.filter((k) => k.startsWith(prefix + p)))
      ensureKeys(await listAll(store, `${prefix}ab`), under('ab'), 'list of "ab"')
      ensureKeys(await listAll(store, `${prefix}abc`), under('abc'), 'list of "abc"')
      ensureKeys(await listAll(store, `${prefix}abd/d/e`), under('abd/d/e'), 'list of a whole key')
      ensureKeys(await listAll(store, prefix), sorted(keys), 'list of the whole check prefix')
    },
  },
  {
    group,
    name: 'deeply nested keys are listed from every level',
    async run({ store, prefix }) {
      const segments = Array.from({ length: 12 }, (_, i) => `level${i}`)
      const deep = prefix + segments.join('/')
      const keys = [
        deep,
        `${deep}-sibling`,
        `${prefix}${segments.slice(0, 6).join('/')}/leaf`,
        `${prefix}top`,
      ]
      await writeKeys(store, keys)
      ensureKeys(await listAll(store, prefix), sorted(keys), 'list of the check prefix')
      const middle = `${prefix}${segments.slice(0, 6).join('/')}/`
      ensureKeys(
        await listAll(store, middle),
        sorted(keys.filter((k) => k.startsWith(middle))),
        'list from level 6',
      )
      ensureKeys(await listAll(store, deep), sorted([deep, `${deep}-sibling`]), 'list of the deepest key')
    },
  },
  {
    group,
    name: 'keys with unicode and odd characters round-trip through put, get and list',
    async run({ store, prefix }) {
      const names = [
        'été/données',
        '日本語/キー',
        'emoji/🙂🚀',
        'with spaces/a b  c',
        "odd/!#$%&'()+,;=@[]^`{}~",
        'odd/plus+and%20percent',
        'mixed/Ünïcödé ☃',
      ]
      const keys = names.map((n) => prefix + n)
      await writeKeys(store, keys)
      for (const key of keys) ensureBytes(await store.get(key), utf8(key), `get(${JSON.stringify(key)})`)
      ensureKeys(await listAll(store, prefix), sorted(keys), 'list of the check prefix')
      ensureKeys(await listAll(store, `${prefix}été/`), [`${prefix}été/données`], 'list of a unicode prefix')
      ensureKeys(
        await listAll(store, `${prefix}emoji/🙂`),
        [`${prefix}emoji/🙂🚀`],
        'list of a prefix ending in an emoji',
      )
    },
  },
  {
    group,
    name: `more than one page (${MANY_KEYS.toLocaleString('en')} keys) lists every key exactly once, in order`,
    async run({ store, prefix }) {
      const keys = Array.from({ length: MANY_KEYS }, (_, i) => `${prefix}page/${String(i).padStart(5, '0')}`)
      await writeKeys(store, keys)
      ensureKeys(await listAll(store, prefix), keys, `list of ${MANY_KEYS} keys`)
    },
  },
  {
    group,
    name: 'keys are listed in ascending order of their UTF-8 bytes, the same order every time',
    async run({ store, prefix }) {
      // Pairs that other orders get wrong: '-' (0x2D) sorts before '/' (0x2F), which a store walking
      // folders gets wrong; U+FF5E sorts before U+1F642 in UTF-8 but after it in UTF-16 code units.
      const names = [
        'a-b',
        'a/b',
        'a/c/d',
        'a0',
        'a b',
        'a!',
        'A',
        'a.b',
        'z',
        '\uFF5E',
        '🙂',
        'é',
        'e',
        'Z',
        '0',
        '~',
      ]
      const keys = names.map((n) => prefix + n)
      await writeKeys(store, keys)
      const expected = sorted(keys)
      ensureKeys(await listAll(store, prefix), expected, 'list in UTF-8 byte order')
      ensureKeys(await listAll(store, prefix), expected, 'a second list of the same keys')
    },
  },
  {
    group,
    name: 'lists each key once (no duplicates)',
    async run({ store, prefix }) {
      const keys = ['x/y', 'x/z/w', 'xy', 'x-y', 'y'].map((k) => prefix + k)
      await writeKeys(store, keys)
      for (const key of keys) await store.put(key, utf8(`${key} again`))
      const listed = await listAll(store, prefix)
      const duplicates = listed.filter((key, i) => listed.indexOf(key) !== i)
      ensure(duplicates.length === 0, () => `list returned duplicates: ${JSON.stringify(duplicates)}`)
      ensureKeys(listed, sorted(keys), 'list after overwriting every key')
    },
  },
  {
    group,
    name: 'a prefix that matches nothing lists nothing',
    async run({ store, prefix }) {
      await writeKeys(store, [`${prefix}something/here`])
      for (const empty of [
        `${prefix}nothing/`,
        `${prefix}nothing`,
        `${prefix}something/here/`,
        `${prefix}somethinx`,
      ]) {
        ensureKeys(await listAll(store, empty), [], `list of ${JSON.stringify(empty)}`)
      }
    },
  },
]
