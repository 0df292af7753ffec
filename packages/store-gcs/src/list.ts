/** One page of an object listing: object names and the token of the next page, if any. */
export interface ListPage {
  readonly names: readonly string[]
  readonly nextPageToken?: string | undefined
}

/** Fetches the page a token names (undefined: the first page). */
export type FetchPage = (pageToken: string | undefined) => Promise<ListPage>

/** Every name of a paged listing, in the server's order, fetching one page at a time as the caller iterates. */
export async function* pagedNames(fetchPage: FetchPage): AsyncGenerator<string, void, undefined> {
  let token: string | undefined
  do {
    const page = await fetchPage(token)
    yield* page.names
    token = page.nextPageToken || undefined
  } while (token !== undefined)
}

interface Pending {
  readonly key: string
  readonly bytes: Buffer
}

/**
 * Re-yields keys listed in ascending order of their UTF-8 bytes (as Google Cloud
 * Storage lists) or of their UTF-16 code units (as the Firebase Storage emulator
 * lists, comparing JS strings) in ascending UTF-8 order, without collecting the
 * listing.
 *
 * The two orders disagree only where one key holds a character above U+FFFF
 * (a surrogate pair in UTF-16) and another a character in U+E000..U+FFFF at the
 * same place after a common start. So a key is held back only while the listing
 * still runs through keys sharing its start up to its first surrogate; any other
 * key is released as soon as it is the smallest one waiting.
 */
export async function* inUtf8Order(keys: AsyncIterable<string>): AsyncGenerator<string, void, undefined> {
  const pending: Pending[] = []
  for await (const key of keys) {
    insertSorted(pending, { key, bytes: Buffer.from(key, 'utf8') })
    while (pending.length > 0 && settled(pending[0]!.key, key)) yield pending.shift()!.key
  }
  for (const { key } of pending) yield key
}

/** True when no key listed after `latest` can sort before `key` in UTF-8 order, whichever order the server lists in. */
function settled(key: string, latest: string): boolean {
  const surrogate = firstSurrogate(key)
  return surrogate === -1 || !latest.startsWith(key.slice(0, surrogate))
}

function firstSurrogate(key: string): number {
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdfff) return i
  }
  return -1
}

function insertSorted(pending: Pending[], entry: Pending): void {
  let low = 0
  let high = pending.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (Buffer.compare(pending[middle]!.bytes, entry.bytes) <= 0) low = middle + 1
    else high = middle
  }
  pending.splice(low, 0, entry)
}
