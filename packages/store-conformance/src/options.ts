import type { Store } from '@varve/core'

/** How to run the conformance kit against one store. */
export interface ConformanceOptions {
  /** Creates the store under test; called once per suite, before the checks. */
  create: () => Store | Promise<Store>
  /** Called once after the suite (close clients, stop servers). Default: store.close?.() */
  destroy?: (store: Store) => void | Promise<void>
  /** How many concurrent racers in the create-only race (default 16). */
  racers?: number
  /**
   * Limits of the SERVER under test, not of the store (e.g. an emulator that ignores preconditions):
   * each named limit turns the matching strict checks into checks of the weaker documented behaviour, and
   * the reason is printed in the test name. Known limits: `createNotAtomic` (create-only is
   * check-then-write on this server).
   */
  knownLimits?: { createNotAtomic?: string }
}

/** What {@link runStoreConformance} found: one result per check, plus the cleanup after the run. */
export interface ConformanceReport {
  results: { group: string; name: string; passed: boolean; error?: unknown }[]
  passed: number
  failed: number
}

/** The limits a caller declared for the server under test. */
export type KnownLimits = NonNullable<ConformanceOptions['knownLimits']>
