import { VarveError } from '../errors/varve-error.ts'
import type { HttpCall } from './http-store-errors.ts'

/** The path, below the base URL, where a Varve server tells what its store guarantees: {@link ServerCapabilities}. */
export const SERVER_CAPABILITIES_PATH = '.varve/capabilities'

/** What a Varve server answers at {@link SERVER_CAPABILITIES_PATH}. */
export interface ServerCapabilities {
  /** True when the server's store creates atomically: of racing creates of one key, exactly one wins. */
  readonly atomicCreate: boolean
}

/** Parses a capabilities answer; a malformed one is `StoreFailure`. */
export function parseServerCapabilities(call: HttpCall, text: string): ServerCapabilities {
  let answer: { atomicCreate?: unknown } | null
  try {
    answer = JSON.parse(text) as { atomicCreate?: unknown } | null
  } catch (cause) {
    throw malformed(call, text, cause)
  }
  if (typeof answer?.atomicCreate !== 'boolean') throw malformed(call, text, undefined)
  return { atomicCreate: answer.atomicCreate }
}

function malformed(call: HttpCall, text: string, cause: unknown): VarveError {
  return new VarveError(
    'StoreFailure',
    `${call.store} answered ${call.url} with no { atomicCreate: boolean }: ${text.slice(0, 200)}`,
    { cause, details: { key: call.target, operation: call.operation } },
  )
}
