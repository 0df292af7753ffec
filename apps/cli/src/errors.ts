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
    const message = inCliWords(error)
    return json
      ? JSON.stringify({ error: { code: error.code, message } })
      : `varve: ${message} [${error.code}]`
  }
  const message = error instanceof Error ? error.message : String(error)
  if (json) return JSON.stringify({ error: { code: 'Internal', message } })
  const stack = error instanceof Error && error.stack ? `\n${error.stack}` : ''
  return `varve: unexpected error: ${message}${stack}`
}

/**
 * A replica's `ReadOnly` tells a library user how to make a writable copy
 * (`repo.createCollection(...)`); its details (upstream, suggested name) let
 * the CLI say it as a command instead.
 */
function inCliWords(error: VarveError): string {
  const { upstream, copyName, collection } = error.details
  if (error.code !== 'ReadOnly' || typeof upstream !== 'string' || typeof copyName !== 'string') {
    return error.message
  }
  const api = `repo.createCollection('${copyName}', { source: '${upstream}' })`
  const command = `varve create ${copyName} --from ${upstream}`
  const message = error.message.replace(
    `repo.dropCollection('${collection}', { replica: true })`,
    `varve drop ${collection} --replica`,
  )
  return message.includes(api) ? message.replace(api, command) : `${message} For a writable copy: ${command}.`
}
