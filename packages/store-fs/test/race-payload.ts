/** What racer `id` writes under `key`: distinct per racer and long enough (about 100 KB) that a torn write shows. */
export function racerPayload(key: string, id: string): Uint8Array {
  return new TextEncoder().encode(`${key} written by racer ${id};`.repeat(3000))
}
