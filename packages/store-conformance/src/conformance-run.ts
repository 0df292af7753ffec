import { randomBytes } from 'node:crypto'
import { type Store, VarveError } from '@varve/core'
import { ConformanceError } from './assert.ts'
import type { CheckSettings, ConformanceCheck } from './check.ts'
import { conformanceChecks } from './conformance-checks.ts'
import { ensureCapabilities, guardStore } from './guarded-store.ts'
import type { ConformanceOptions } from './options.ts'
import { listAll } from './store-helpers.ts'

/** The most one check may take (a remote store writes a few thousand objects in some checks). */
export const CHECK_TIMEOUT_MS = 120_000
/** The most creating, cleaning up or destroying the store may take. */
export const HOOK_TIMEOUT_MS = 120_000

/** One run of the kit against one store: shared by the vitest and the programmatic entry points. */
export interface ConformanceRun {
  readonly checks: readonly ConformanceCheck[]
  /** Whether `start` created a store (which `cleanUp` and `destroy` then deal with). */
  readonly created: boolean
  /** Creates the store (`options.create`) and checks that it declares its capabilities. */
  start(): Promise<void>
  /** Runs one check under its own key prefix; throws when the store falls short. */
  run(check: ConformanceCheck): Promise<void>
  /** Deletes every key the run wrote, then checks that none is left. */
  cleanUp(): Promise<void>
  /** Releases the store: `options.destroy(store)`, by default `store.close?.()`. */
  destroy(): Promise<void>
}

function invalidOption(problem: string): VarveError {
  return new VarveError('InvalidArgument', `Invalid conformance options: ${problem}.`)
}

function settingsOf(options: ConformanceOptions): CheckSettings {
  if (typeof options?.create !== 'function')
    throw invalidOption('`create` must be a function returning the store')
  if (options.destroy !== undefined && typeof options.destroy !== 'function') {
    throw invalidOption('`destroy` must be a function (or left out to call store.close)')
  }
  const racers = options.racers ?? 16
  if (!Number.isSafeInteger(racers) || racers < 2) {
    throw invalidOption(`\`racers\` must be a whole number ≥ 2, got ${String(racers)}`)
  }
  const knownLimits = options.knownLimits ?? {}
  for (const [limit, reason] of Object.entries(knownLimits)) {
    if (limit !== 'createNotAtomic')
      throw invalidOption(`unknown limit ${JSON.stringify(limit)} (known: createNotAtomic)`)
    if (reason !== undefined && (typeof reason !== 'string' || reason.trim() === '')) {
      throw invalidOption(`knownLimits.${limit} must be the reason, as a non-empty string`)
    }
  }
  return { racers, knownLimits }
}

/** A folder-like name for a group: `create-only`, `round-trips`. */
const slug = (group: string) => group.replace(/[^a-z0-9]+/gi, '-').toLowerCase()

/** Checks the options (throws `InvalidArgument`) and prepares a run under a fresh random key prefix. */
export function createConformanceRun(options: ConformanceOptions): ConformanceRun {
  const settings = settingsOf(options)
  const checks = conformanceChecks(settings)
  const runPrefix = `conformance-${randomBytes(6).toString('hex')}/`
  const prefixes = new Map(checks.map((check, i) => [check, `${runPrefix}${slug(check.group)}-${i}/`]))
  let raw: Store | undefined
  let store: Store | undefined

  return {
    checks,
    get created() {
      return raw !== undefined
    },
    async start() {
      raw = await options.create()
      ensureCapabilities(raw)
      store = guardStore(raw)
    },
    async run(check) {
      const prefix = prefixes.get(check)
      if (!store || prefix === undefined)
        throw new ConformanceError(`Cannot run "${check.name}": the store was not created`)
      await check.run({ store, prefix, settings })
    },
    async cleanUp() {
      if (!store) return
      try {
        await store.delete(await listAll(store, runPrefix))
      } catch (error) {
        throw new ConformanceError(
          `Cleaning up after the conformance run failed: the keys under ${JSON.stringify(runPrefix)} ` +
            `could not be listed and deleted (${String(error)}); delete them by hand`,
          { cause: error },
        )
      }
      const left = await listAll(store, runPrefix)
      if (left.length > 0) {
        throw new ConformanceError(
          `Cleaning up after the conformance run left ${left.length} keys under ${JSON.stringify(runPrefix)}, ` +
            `e.g. ${JSON.stringify(left.slice(0, 3))}: delete lost some keys; delete them by hand`,
        )
      }
    },
    async destroy() {
      if (!raw) return
      const created = raw
      raw = undefined
      store = undefined
      await (options.destroy ? options.destroy(created) : created.close?.())
    },
  }
}

/** Rejects with a ConformanceError when `work` takes longer than `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceError(`${what} took longer than ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
