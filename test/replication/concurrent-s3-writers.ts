import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Repo } from '@varve/core'
import { batchOf, type MadeWrite } from '../concurrency/write-plan.ts'
import { runTsChild } from '../support/child-process.ts'
import type { Clouds } from './clouds.ts'

const writerScript = fileURLToPath(new URL('./s3-writer.ts', import.meta.url))

export interface ConcurrentWriters {
  /** Separate OS processes (writers 0 … processes − 1). */
  readonly processes: number
  /** Repo instances of this process, each with its own store client (the writers after those). */
  readonly instances: number
  /** Batch writes per writer (see ../concurrency/write-plan.ts). */
  readonly writes: number
}

/**
 * Runs every writer at once on the S3 repository under `prefix` (its collection
 * `readings` must exist): all open the repository first, then a start file in
 * `folder` releases them together. Returns every write made, with its revision.
 */
export async function writeConcurrently(
  clouds: Clouds,
  prefix: string,
  folder: string,
  writers: ConcurrentWriters,
): Promise<MadeWrite[]> {
  const startFile = join(folder, 'start')
  let ready = 0
  let release: () => void = () => {}
  const allReady = new Promise<void>((resolve) => {
    release = resolve
  })
  const options = JSON.stringify(clouds.s3Options(prefix))
  const children = Array.from({ length: writers.processes }, (_, p) =>
    runTsChild(writerScript, [options, String(p), String(writers.writes), startFile], {
      timeoutMs: 60_000,
      onLine: (line) => {
        if (line === 'ready' && ++ready === writers.processes) release()
      },
    }),
  )
  if (writers.processes === 0) release()
  const collections = await Promise.all(
    Array.from({ length: writers.instances }, async () => {
      const repo = await Repo.open(clouds.store('S3', prefix), { create: false })
      return (await repo.collection('readings'))!
    }),
  )
  // A child that fails before it is ready ends the wait with its exit, and the run reports it below.
  await Promise.race([allReady, ...children.map((c) => c.exit)])
  await writeFile(startFile, '')
  const inProcess = collections.map(async (collection, i) => {
    const me = writers.processes + i
    const made: MadeWrite[] = []
    for (let write = 0; write < writers.writes; write++) {
      made.push({ process: me, write, revision: (await collection.write(batchOf(me, write)))!.id })
    }
    return made
  })
  const [exits, own] = await Promise.all([
    Promise.all(children.map((c) => c.exit)),
    Promise.allSettled(inProcess),
  ])
  const fromChildren = exits.flatMap((exit, p) => {
    if (exit.code !== 0) throw new Error(`S3 writer process ${p} exited with ${exit.code}:\n${exit.stderr}`)
    const { process, revisions } = JSON.parse(exit.lines.at(-1)!) as { process: number; revisions: string[] }
    return revisions.map((revision, write) => ({ process, write, revision }))
  })
  const fromInstances = own.flatMap((result) => {
    if (result.status === 'rejected') throw result.reason
    return result.value
  })
  return [...fromChildren, ...fromInstances]
}
