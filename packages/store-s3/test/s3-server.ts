import { startFauxqs } from './fauxqs-server.ts'
import { type MotoOptions, motoInstalled, startMoto } from './moto-server.ts'
import type { ServerProcess } from './server-process.ts'

export type S3ServerKind = 'moto' | 'fauxqs'

/**
 * The S3 server the tests run against: `VARVE_S3_TEST_SERVER` (`moto` or `fauxqs`) when set,
 * else moto where python3 can import it (it passed every check, EMULATORS.md), else fauxqs.
 */
export const serverKind: S3ServerKind = chooseServer()

/**
 * What the chosen server does not do, as EMULATORS.md documents it; undefined when it does.
 * fauxqs accepts a PUT with `If-None-Match: *` on an existing key, so the store runs with
 * `atomicCreate: false` there (it asks first) and races may have several winners.
 */
export const ignoresConditionalWrites: string | undefined =
  serverKind === 'fauxqs' ? 'fauxqs ignores If-None-Match, so the store asks first (not atomic)' : undefined

/** The store options the chosen server needs beyond the endpoint's. */
export const serverOptions: { atomicCreate?: boolean } =
  ignoresConditionalWrites === undefined ? {} : { atomicCreate: false }

export function startS3Server(options: MotoOptions = {}): Promise<ServerProcess> {
  return serverKind === 'moto' ? startMoto(options) : startFauxqs()
}

function chooseServer(): S3ServerKind {
  const chosen = process.env.VARVE_S3_TEST_SERVER
  if (chosen === 'moto' || chosen === 'fauxqs') return chosen
  if (chosen !== undefined && chosen !== '') {
    throw new Error(`VARVE_S3_TEST_SERVER must be "moto" or "fauxqs", got ${JSON.stringify(chosen)}.`)
  }
  return motoInstalled() ? 'moto' : 'fauxqs'
}
