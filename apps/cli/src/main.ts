import { CommanderError } from 'commander'
import { describeError, exitCodeOf } from './errors.ts'
import { INTERRUPTED_EXIT } from './exit-codes.ts'
import { createProgram } from './program.ts'

process.on('SIGINT', () => {
  process.stderr.write('\nvarve: interrupted; a re-run of a push, pull or clone resumes where it stopped.\n')
  process.exit(INTERRUPTED_EXIT)
})

try {
  await createProgram().parseAsync(process.argv)
} catch (error) {
  // Commander has already printed its own usage errors and help.
  if (!(error instanceof CommanderError)) {
    process.stderr.write(`${describeError(error, process.argv.includes('--json'))}\n`)
  }
  process.exitCode = exitCodeOf(error)
}
