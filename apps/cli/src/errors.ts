import { VarveError } from '@varve/core'
import { CommanderError } from 'commander'
import { EXIT_CODES, INTERNAL_EXIT, USAGE_EXIT } from './exit-codes.ts'

/** The exit status for an error: by VarveError code, usage for the parser's refusals, else internal. */
export function exitCodeOf(error: unknown): number {
  if (VarveError.is(error)) return EXIT_CODES[error.code] ?? INTERNAL_EXIT
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT
  return INTERNAL_EXIT
}

/**
 * The error as the user sees it on stderr: `varve: <message> [Code]`, or with
 * `--json` one JSON line `{"error":{"code":...,"message":...}}`. Only the
 * message and code are shown, never options or causes' request details, so
 * credentials given as options cannot leak; a non-Varve error adds its stack,
 * since it is a bug to report.
 */
export function describeError(error: unknown, json: boolean): string {
  if (VarveError.is(error)) {
    return json
      ? JSON.stringify({ error: { code: error.code, message: error.message } })
      : `varve: ${error.message} [${error.code}]`
  }
  const message = error instanceof Error ? error.message : String(error)
  if (json) return JSON.stringify({ error: { code: 'Internal', message } })
  const stack = error instanceof Error && error.stack ? `\n${error.stack}` : ''
  return `varve: unexpected error: ${message}${stack}`
}
