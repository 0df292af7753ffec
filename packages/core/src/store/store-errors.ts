import { VarveError } from '../errors/varve-error.ts'
import type { StoreOperation } from './store.ts'

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

/** What a store operation on `key` was doing, for messages: "read \"a/b\"", "list the keys starting with \"a/\"". */
export function describeOperation(operation: StoreOperation | 'createInOrder', key: string): string {
  const quoted = JSON.stringify(key)
  switch (operation) {
    case 'get':
      return `read ${quoted}`
    case 'getRange':
      return `read a range of ${quoted}`
    case 'put':
      return `write ${quoted}`
    case 'create':
    case 'createInOrder':
      return `create ${quoted}`
    case 'list':
      return `list the keys starting with ${quoted}`
    case 'delete':
      return `delete ${quoted}`
  }
}
