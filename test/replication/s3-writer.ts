/**
 * A separate OS process writing into collection `readings` of a repository on
 * S3: `s3-writer.ts <createS3Store options as JSON> <process> <writes> <start file>`.
 * Opens the repository, prints `ready`, waits for the start file, then makes
 * `writes` batch writes (see ../concurrency/write-plan.ts) and prints one JSON
 * line: the revision id of every write, in order.
 */
import { access } from 'node:fs/promises'
import { Repo } from '@varve/core'
import { createS3Store } from '@varve/store-s3'
import { batchOf } from '../concurrency/write-plan.ts'

const [optionsArg, processArg, writesArg, startFile] = process.argv.slice(2)
if (optionsArg === undefined || startFile === undefined) {
  throw new Error('usage: s3-writer.ts <store options JSON> <process> <writes> <start file>')
}
const repo = await Repo.open(createS3Store(JSON.parse(optionsArg)), { create: false })
const collection = (await repo.collection('readings'))!
process.stdout.write('ready\n')
const started = () =>
  access(startFile).then(
    () => true,
    () => false,
  )
while (!(await started())) await new Promise((resolve) => setTimeout(resolve, 5))

const me = Number(processArg)
const revisions: string[] = []
for (let i = 0; i < Number(writesArg); i++) revisions.push((await collection.write(batchOf(me, i)))!.id)
await repo.close()
process.stdout.write(`${JSON.stringify({ process: me, revisions })}\n`)
