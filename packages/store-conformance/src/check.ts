import type { Store } from '@varve/core'
import type { KnownLimits } from './options.ts'

/** What every check receives. */
export interface CheckContext {
  /** The store under test, wrapped so that any error that is not a VarveError fails the check. */
  readonly store: Store
  /** A key prefix (ending in '/') that belongs to this check alone; everything it writes goes under it. */
  readonly prefix: string
  readonly settings: CheckSettings
}

/** What shapes the checks before the store exists (check names must be known when tests are registered). */
export interface CheckSettings {
  readonly racers: number
  readonly knownLimits: KnownLimits
}

/** One behaviour of the store contract, checked. Throws when the store falls short. */
export interface ConformanceCheck {
  readonly group: string
  readonly name: string
  run(context: CheckContext): Promise<void>
}
