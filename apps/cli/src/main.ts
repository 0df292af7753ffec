import { CommanderError } from 'commander'
import { describeError, exitCodeOf } from './errors.ts'
import { INTERRUPTED_EXIT } from './exit-codes.ts'
import { createProgram } from './program.ts'

// @varve/store-s3 pins an SDK release that runs on Node 20 (EMULATORS.md); its notice that later
// releases will need Node 22 would open every command's output. Set the variable to 'false' to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

process.on('SIGINT', () => {
  process.stderr.write('\nvarve: interrupted (a push, pull or clone resumes when run again).\n')
  process.exit(INTERRUPTED_EXIT)
})

// `varve read ... | head` closes the pipe early: that ends the output, it is no failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(0)
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
