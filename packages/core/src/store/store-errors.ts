import { VarveError } from '../errors/varve-error.ts'

/** The error a store raises when `create` finds the key taken. */
export function alreadyExists(key: string, cause?: unknown): VarveError {
  return new VarveError(
    'AlreadyExists',
    `Object ${JSON.stringify(key)} already exists; create-only writes never replace.`,
    {
      cause,
      details: { key },
    },
  )
}

/** The error a store without ranged reads raises from `getRange`. */
export function unsupported(description: string, what: string): VarveError {
  return new VarveError(
    'Unsupported',
    `The store ${description} does not support ${what}; check its capabilities first.`,
  )
}
