/**
 * A separate OS process writing into one collection of a folder repository:
 * `writer-process.ts <folder> <writer number> <writes>`. Waits for the start
 * file, then writes each round to its own series and to a shared one, and
 * prints the revision id of every write, one JSON line.
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { Repo } from '@varve/core'

const [folder, writerArg, writesArg] = process.argv.slice(2)
const writer = Number(writerArg)
const writes = Number(writesArg)
while (
  !(await access(join(folder!, '..', 'start')).then(
    () => true,
    () => false,
  ))
) {
  await new Promise((r) => setTimeout(r, 5))
}
const collection = (await (await Repo.open(folder!)).collection('shared'))!
const revisions: string[] = []
for (let i = 0; i < writes; i++) {
  const at = new Date(Date.UTC(2020, 0, 1, 0, 0, i)).toISOString()
  const own = await collection
    .series(`writer-${writer}`)
    .write({ timestamp: [at], value: [writer * 1000 + i] })
  const shared = await collection.series('common').write({ timestamp: [at], value: [writer * 1000 + i] })
  revisions.push(own!.id, shared!.id)
}
console.log(JSON.stringify({ writer, revisions }))
