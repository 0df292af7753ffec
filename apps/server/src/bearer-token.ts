import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * True when the `Authorization` header carries `Bearer <token>`. Both sides are hashed first so
 * the comparison takes the same time whatever the header holds, its length included.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? ''
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0
}
