import { compareKeys, keyProblem, type VarveError } from '@varve/core'

/** One page of a blob listing: the blob names in the service's order, and where the next page starts. */
export interface BlobPage {
  readonly names: readonly string[]
  readonly next: string | undefined
}

/**
 * Yields the keys of the blobs whose names start with `blobPrefix + prefix`, the
 * store's `blobPrefix` removed, in ascending order of their UTF-8 bytes.
 * `fetchPage` fetches one List Blobs page (retries are its business); paging
 * follows the continuation marker until the service gives none. Blob names that
 * are not valid keys (written by other tools, e.g. `a//b` or `.hidden`) are skipped.
 */
export async function* listKeys(
  fetchPage: (marker: string | undefined) => Promise<BlobPage>,
  blobPrefix: string,
  fail: (message: string) => VarveError,
): AsyncGenerator<string, void, undefined> {
  const order = new ByteOrder(fail)
  let marker: string | undefined
  do {
    const page = await fetchPage(marker)
    for (const name of page.names) {
      if (!name.startsWith(blobPrefix)) continue
      const key = name.slice(blobPrefix.length)
      if (keyProblem(key) !== undefined) continue
      yield* order.push(key)
    }
    marker = page.next === '' ? undefined : page.next
  } while (marker !== undefined)
  yield* order.end()
}

/**
 * Turns a stream sorted by UTF-16 code units (Azurite's order: JavaScript's `<`)
 * or by UTF-8 bytes into one sorted by UTF-8 bytes, holding back only the few
 * keys whose place the rest of the stream may still change.
 *
 * The two orders differ only where two keys first differ at a code unit that is
 * a surrogate (a character above U+FFFF) in one and U+E000..U+FFFF in the other.
 * So a key `e` whose first surrogate is at index `i` may still be preceded (in
 * UTF-8) by a key yet to come only if that key starts with `e.slice(0, i)`; once
 * the stream has moved past that prefix, nothing still to come can sort before
 * `e`. Keys without surrogates are never held back on their own account.
 */
export class ByteOrder {
  readonly #held: string[] = []
  readonly #fail: (message: string) => VarveError
  #last: string | undefined

  constructor(fail: (message: string) => VarveError) {
    this.#fail = fail
  }

  /** Takes the next key of the stream; returns the keys now safe to emit, in order. */
  push(key: string): string[] {
    const last = this.#last
    // Either order is fine; anything else (a service sorting some other way) would break the contract silently.
    if (last !== undefined && key <= last && compareKeys(key, last) <= 0) {
      throw this.#fail(
        `the service listed ${JSON.stringify(key)} after ${JSON.stringify(last)}, out of order (or twice)`,
      )
    }
    this.#last = key
    const held = this.#held
    let at = held.length
    while (at > 0 && compareKeys(held[at - 1]!, key) > 0) at--
    held.splice(at, 0, key)
    let ready = 0
    while (ready < held.length && !this.#pending(held[ready]!, key)) ready++
    return held.splice(0, ready)
  }

  /** The keys still held once the stream has ended, in order. */
  end(): string[] {
    return this.#held.splice(0)
  }

  #pending(key: string, last: string): boolean {
    const surrogate = firstSurrogate(key)
    return surrogate >= 0 && last.startsWith(key.slice(0, surrogate))
  }
}

function firstSurrogate(key: string): number {
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdfff) return i
  }
  return -1
}
