/**
 * Copies one folder repository into another in a separate OS process:
 * `push-child.ts <source> <destination> <push|pull> <concurrency> [<phase>:<n>]`.
 * `push` runs `Repo.open(source).push(destination)`, `pull` runs
 * `Repo.open(destination).pull(source)`, `concurrency` objects at a time. Prints one
 * line per progress event (`<phase> <collection> <done>/<total>`) and
 * `done <json result>` at the end. With `<phase>:<n>` (phase `objects` or
 * `revisions`), the process SIGKILLs itself right after printing the n-th
 * progress event of that phase: a crash at a chosen point of the copy.
 */
import { Repo, type SyncProgress } from '@varve/core'

const [source, destination, direction, concurrency, killAt] = process.argv.slice(2)
if (
  source === undefined ||
  destination === undefined ||
  (direction !== 'push' && direction !== 'pull') ||
  concurrency === undefined
) {
  throw new Error(
    'usage: push-child.ts <source> <destination> <push|pull> <concurrency> [<objects|revisions>:<n>]',
  )
}
const [killPhase, killCount] = killAt === undefined ? [undefined, 0] : killAt.split(':')
const seen = { objects: 0, revisions: 0 }

const onProgress = (progress: SyncProgress) => {
  seen[progress.phase]++
  // Pipes are written synchronously on Linux: the line is out before the kill.
  process.stdout.write(
    `${progress.phase} ${progress.collection} ${progress.objectsDone}/${progress.objectsTotal}\n`,
  )
  if (progress.phase === killPhase && seen[progress.phase] === Number(killCount)) {
    process.kill(process.pid, 'SIGKILL')
  }
}
const options = { concurrency: Number(concurrency), onProgress }
const result =
  direction === 'push'
    ? await (await Repo.open(source, { create: false })).push(destination, options)
    : await (await Repo.open(destination)).pull(source, options)
process.stdout.write(`done ${JSON.stringify(result)}\n`)
