/**
 * The README's demo: a few `varve` commands, each printed with its output.
 * A repository in a local folder (demo-data/) is created, written, read and
 * read in the past; a second copy (demo-data-replica/, "another machine") and
 * the first are written at once and merged; the merge is pushed back.
 * Run from the workspace root: `pnpm demo`.
 */
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../bin/varve.js', import.meta.url))
// Progress bars are for long copies; these are small.
const env = { ...process.env, VARVE_REPO: 'demo-data', VARVE_PROGRESS: 'none' }

function say(text: string): void {
  console.log(process.stdout.isTTY ? `\n\x1b[1m# ${text}\x1b[0m` : `\n# ${text}`)
}

/**
 * Prints `$ varve <args>` (with the input piped in, if any), runs it, prints
 * what it printed. A failure stops the demo unless `expectedStatus` says it is the point.
 */
function varve(args: string[], input?: string, expectedStatus = 0): string {
  const shown = args.map((a) => (/[\s*'"|]/.test(a) ? `'${a}'` : a)).join(' ')
  const pipe = input === undefined ? '' : `printf '${input.replaceAll('\n', '\\n')}' | `
  console.log(`$ ${pipe}varve ${shown}`)
  const run = spawnSync(process.execPath, [bin, ...args], { env, input: input ?? '', encoding: 'utf8' })
  process.stdout.write(run.stdout)
  process.stdout.write(run.stderr)
  if (expectedStatus !== 0) console.log(`(exit status ${run.status})`)
  if (run.status !== expectedStatus) throw new Error(`varve ${shown} exited with status ${run.status}`)
  return run.stdout
}

for (const folder of ['demo-data', 'demo-data-replica']) rmSync(folder, { recursive: true, force: true })

say(
  'a repository in a local folder; VARVE_REPO names it for every command (an alias of varve.config.json would too)',
)
console.log('$ export VARVE_REPO=demo-data')
varve(['init'])
varve(['create', 'temperature', 'timestamp:timestamp*', 'value:float64'])

say('write: CSV from stdin, one revision per command; a write replaces the rows in its range')
varve(
  ['write', 'temperature', 'Brussels'],
  'timestamp,value\n2020-01-01,1.5\n2020-01-02,2.25\n2020-01-03,3.125\n',
)
varve(['write', 'temperature', 'Brussels'], 'timestamp,value\n2020-01-02,2.5\n')
varve(
  ['write', 'temperature'],
  'series,timestamp,value\nParis,2020-01-01,4\nParis,2020-01-02,5\nOslo,2020-01-01,-3\n',
)

say('read, list, history')
varve(['read', 'temperature', 'Brussels', '--start', '2020-01-02'])
varve(['ls', 'temperature'])
const log = varve(['log', 'temperature'])
const first = log.split('\n')[1]!.trim().split(/\s+/)[0]!

say('time travel: Brussels as of the first revision')
varve(['read', 'temperature', 'Brussels', '--at', first])

say('another machine: a copy in a second store, written while this one is written too')
varve(['clone', 'demo-data', 'demo-data-replica'])
varve(
  ['--repo', 'demo-data-replica', 'write', 'temperature', 'Brussels'],
  'timestamp,value\n2020-01-03,3\n2020-01-04,4\n',
)
varve(['write', 'temperature', 'Brussels'], 'timestamp,value\n2020-01-03,3.5\n')

say("pull the other machine's revision: both writes kept, as two heads; merge joins them")
varve(['pull', 'demo-data-replica'])
varve(['heads', 'temperature'])
varve(['merge', 'temperature', '--dry-run'])
varve(['merge', 'temperature'])
varve(['read', 'temperature', 'Brussels'])

say('push the merge to the second store: only what it lacks travels; a second push has nothing to copy')
varve(['push', 'demo-data-replica'])
varve(['push', 'demo-data-replica'])
varve(['--repo', 'demo-data-replica', 'log', 'temperature', '--last', '3'])

say('replicate: a read-only copy in the second store that follows this one; pull brings it up to date')
varve(['--repo', 'demo-data-replica', 'replicate', 'demo-data#temperature', 'temperature-live'])
varve(['write', 'temperature', 'Oslo'], 'timestamp,value\n2020-01-02,-4\n')
varve(['--repo', 'demo-data-replica', 'pull'])
varve(['--repo', 'demo-data-replica', 'read', 'temperature-live', 'Oslo'])
varve(
  ['--repo', 'demo-data-replica', 'write', 'temperature-live', 'Oslo'],
  'timestamp,value\n2020-01-03,-5\n',
  14,
)
varve(['--repo', 'demo-data-replica', 'pull'])
varve(['stats'])

say('done: the repositories are in demo-data/ and demo-data-replica/ (varve --help for more)')
