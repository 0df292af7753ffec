import type { ConformanceCheck } from './check.ts'
import { CHECK_TIMEOUT_MS, createConformanceRun, HOOK_TIMEOUT_MS } from './conformance-run.ts'
import type { ConformanceOptions } from './options.ts'

// Importing vitest outside a vitest run throws, and runStoreConformance must work there: load it
// once, keep the failure for describeStoreConformance to report.
const vitest = await import('vitest').then(
  (module) => ({ module }),
  (error: unknown) => ({ error }),
)

function groupsOf(checks: readonly ConformanceCheck[]): Map<string, ConformanceCheck[]> {
  const groups = new Map<string, ConformanceCheck[]>()
  for (const check of checks) groups.set(check.group, [...(groups.get(check.group) ?? []), check])
  return groups
}

/**
 * Registers the whole kit as vitest `describe`/`it` blocks: one `describe(name)`, a nested `describe`
 * per check group and an `it` per check (each may take up to two minutes). The store is created in
 * `beforeAll`; `afterAll` deletes every key the run wrote and then destroys the store, failing the
 * suite if either goes wrong.
 *
 * Throws `InvalidArgument` for malformed options, and a plain Error when vitest cannot be loaded
 * (outside a vitest run use `runStoreConformance`).
 */
export function describeStoreConformance(name: string, options: ConformanceOptions): void {
  if ('error' in vitest) {
    throw new Error(
      'describeStoreConformance registers vitest tests and must be called from a vitest test file; ' +
        'elsewhere use runStoreConformance.',
      { cause: vitest.error },
    )
  }
  const { afterAll, beforeAll, describe, it } = vitest.module
  const run = createConformanceRun(options)
  describe(name, () => {
    beforeAll(() => run.start(), HOOK_TIMEOUT_MS)
    afterAll(async () => {
      const failures: unknown[] = []
      for (const step of [() => run.cleanUp(), () => run.destroy()]) {
        await step().catch((error: unknown) => failures.push(error))
      }
      if (failures.length === 1) throw failures[0]
      if (failures.length > 1)
        throw new AggregateError(failures, 'Cleaning up and destroying the store both failed')
    }, HOOK_TIMEOUT_MS)
    for (const [group, checks] of groupsOf(run.checks)) {
      describe(group, () => {
        for (const check of checks) it(check.name, () => run.run(check), CHECK_TIMEOUT_MS)
      })
    }
  })
}
