import { keyProblem, validatePrefix } from '@varve/core'
import { badRequest } from './http-status.ts'

/**
 * The store key a raw request path names below `mount` (e.g. `/repo/`): each '/'-separated
 * segment is percent-decoded on its own, and the key must follow core's key rules, so '..',
 * '.', dot-names, empty segments (absolute paths, '//'), NUL and other controls, backslashes and
 * an encoded '/' inside a segment are all refused with `InvalidArgument` before any store call.
 */
export function keyFromPath(rawUrl: string, mount: string): string {
  const path = rawUrl.split('?', 1)[0] ?? ''
  if (!path.startsWith(mount)) throw badRequest(`The path must start with ${mount}.`)
  const segments = path.slice(mount.length).split('/')
  const decoded = segments.map((segment) => {
    let value: string
    try {
      value = decodeURIComponent(segment)
    } catch {
      throw badRequest('The key holds a malformed percent-escape.')
    }
    if (value.includes('/')) throw badRequest("A key segment must not hold an encoded '/'.")
    return value
  })
  const key = decoded.join('/')
  const problem = keyProblem(key)
  if (problem !== undefined) throw badRequest(`Invalid key: ${problem}.`)
  return key
}

/** A listing prefix from the query (empty = every key), checked with core's prefix rules. */
export function prefixFromQuery(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value !== 'string') throw badRequest('Give one prefix.')
  try {
    return validatePrefix(value)
  } catch (error) {
    throw badRequest(`Invalid prefix: ${(error as Error).message}`)
  }
}
