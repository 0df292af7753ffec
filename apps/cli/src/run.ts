import { redactLocation } from '@varve/core'
import type { Command, OptionValues } from 'commander'
import { exitCodeOf } from './errors.ts'
import { lastOperationFile, saveLastOperation } from './last-operation.ts'
import { type GlobalOptions, Session } from './session.ts'

/** What an action receives: the session, its arguments (as commander parsed them) and its own options. */
export type Work<O extends OptionValues> = (
  session: Session,
  args: readonly unknown[],
  options: O,
) => Promise<void>

/**
 * Wraps a command's work for commander: makes its session, closes its stores
 * when it ends, and records what they were asked for `varve stats` (unless the
 * command opened none, or `record` is false).
 */
export function run<O extends OptionValues = OptionValues>(
  work: Work<O>,
  { record = true } = {},
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const command = args.at(-1) as Command
    const started = Date.now()
    const session = new Session(command.optsWithGlobals<GlobalOptions>())
    let exitCode = 0
    try {
      await work(session, command.processedArgs, command.opts<O>())
    } catch (error) {
      exitCode = exitCodeOf(error)
      throw error
    } finally {
      const stores = session.storeUse()
      await session.close()
      if (record && stores.length > 0) {
        await saveLastOperation(lastOperationFile(process.env), {
          command: ['varve', ...process.argv.slice(2).map(redactLocation)].join(' '),
          startedAt: new Date(started).toISOString(),
          durationMs: Date.now() - started,
          exitCode,
          stores,
        })
      }
    }
  }
}
