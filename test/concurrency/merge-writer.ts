/**
 * A separate OS process writing into collection `readings` of a folder
 * repository: `merge-writer.ts <folder> <process> <writes> <start file>`.
 * Opens the repository, prints `ready`, waits for the start file, then makes
 * `writes` batch writes (see write-plan.ts) and prints one JSON line: the
 * revision id of every write, in order.
 */
import { access } from 'node:fs/promises'
import { Repo } from '@varve/core'
import { batchOf } from './write-plan.ts'

const [folder, processArg, writesArg, startFile] = process.argv.slice(2)
if (folder === undefined || startFile === undefined) {
  throw new Error('usage: merge-writer.ts <folder> <process> <writes> <start file>')
}
const me = Number(processArg)
const collection = (await (await Repo.open(folder, { create: false })).collection('readings'))!
process.stdout.write('ready\n')
const started = () =>
  access(startFile).then(
    () => true,
    () => false,
  )
while (!(await started())) await new Promise((resolve) => setTimeout(resolve, 5))

const revisions: string[] = []
for (let i = 0; i < Number(writesArg); i++) revisions.push((await collection.write(batchOf(me, i)))!.id)
process.stdout.write(`${JSON.stringify({ process: me, revisions })}\n`)
