/**
 * A writer killed mid-commit: `killed-writer.ts <folder> <first write> <die at>`.
 * Writes 10 rows per write to a folder repository (write i: series `s<i % 4>`,
 * rows i·10 … i·10+9, values i + j/100) and prints `committed <i>` once each
 * write resolves. On its third write it kills itself (SIGKILL) as an entry of
 * the commit's `createInOrder` lands: with `<die at>` = `object:<n>` as the
 * n-th data object to land does (from 0), with `revision` as the revision
 * does; with `-`, it writes until the test kills it.
 */

import { Repo, Schema, type Store } from '@varve/core'
import { createFsStore } from '@varve/store-fs'

const [folder, firstArg, dieAt] = process.argv.slice(2)
const first = Number(firstArg)
const dieAtObject = dieAt!.startsWith('object:') ? Number(dieAt!.slice('object:'.length)) : -1
const fs = createFsStore({ root: folder! })
let commits = 0
const store: Store = {
  ...fs,
  createInOrder: (levels, options) => {
    let objects = 0
    return fs.createInOrder!(levels, {
      ...options,
      onCreated: (level, index, created) => {
        options?.onCreated?.(level, index, created)
        if (commits !== 2) return
        const revision = levels[level]![index]![0].startsWith('revisions/')
        if (revision ? dieAt === 'revision' : objects++ === dieAtObject) process.kill(process.pid, 'SIGKILL')
      },
    })
  },
}
const repo = await Repo.open(store)
const collection =
  (await repo.collection('k')) ??
  (await repo.createCollection('k', new Schema({ time: 'int64*', value: 'float64' })))
for (let i = first; ; i++) {
  await collection.series(`s${i % 4}`).write({
    time: Array.from({ length: 10 }, (_, j) => BigInt(i * 10 + j)),
    value: Array.from({ length: 10 }, (_, j) => i + j / 100),
  })
  commits++
  console.log(`committed ${i}`)
}
