import { ConformanceError } from './assert.ts'
import { CHECK_TIMEOUT_MS, createConformanceRun, HOOK_TIMEOUT_MS, withTimeout } from './conformance-run.ts'
import type { ConformanceOptions, ConformanceReport } from './options.ts'

type Result = ConformanceReport['results'][number]

async function step(group: string, name: string, work: () => Promise<void>): Promise<Result> {
  try {
    await work()
    return { group, name, passed: true }
  } catch (error) {
    return { group, name, passed: false, error }
  }
}

/**
 * Runs every check programmatically (no vitest registration) and returns what passed and what failed:
 * one result per check, in order, then the `cleanup` results (deleting what the run wrote, destroying
 * the store). When `create` fails, a `setup` result holds the error and every check fails with it as
 * the cause. Checks run one after the other; each may take up to two minutes.
 *
 * Rejects with `InvalidArgument` for malformed options; a failing store never makes it reject.
 */
export async function runStoreConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const run = createConformanceRun(options)
  const results: Result[] = []
  const setup = await step('setup', 'creates the store', () =>
    withTimeout(run.start(), HOOK_TIMEOUT_MS, 'Creating the store'),
  )
  if (!setup.passed) results.push(setup)
  for (const check of run.checks) {
    const { group, name } = check
    if (!setup.passed) {
      const error = new ConformanceError('Not run: the store could not be created', { cause: setup.error })
      results.push({ group, name, passed: false, error })
      continue
    }
    results.push(await step(group, name, () => withTimeout(run.run(check), CHECK_TIMEOUT_MS, `"${name}"`)))
  }
  if (run.created) {
    results.push(
      await step('cleanup', 'deletes every key the run wrote', () =>
        withTimeout(run.cleanUp(), HOOK_TIMEOUT_MS, 'Cleaning up'),
      ),
      await step('cleanup', 'destroys the store', () =>
        withTimeout(run.destroy(), HOOK_TIMEOUT_MS, 'Destroying the store'),
      ),
    )
  }
  const passed = results.filter((result) => result.passed).length
  return { results, passed, failed: results.length - passed }
}
