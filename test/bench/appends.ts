import { appendFile, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Repo, Schema } from '@varve/core'
import { bytesOf, time } from './w1.ts'
import { median, randomWalk, timestamps } from './workloads.ts'

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })

export interface AppendResult {
  /** Median over runs of (last 100 appends' time ÷ first 100's). */
  readonly lastOverFirst: number
  readonly appendMs: number
  readonly rawAppendMs: number
  /** Full read after the appends ÷ full read of the same rows written at once. */
  readonly readAfterOverReadOnce: number
}

/** 1,000 appends of 10 rows to one series, against appending the same bytes to two plain files. */
export async function benchAppends(
  root: string,
  runs: number,
  appends = 1000,
  rowsEach = 10,
): Promise<AppendResult> {
  const ratios: number[] = []
  const totals: number[] = []
  const rawTotals: number[] = []
  const readRatios: number[] = []
  const rows = appends * rowsEach
  const ts = timestamps(rows)
  const values = randomWalk(rows, 7)
  for (let run = 0; run < runs; run++) {
    const dir = join(root, `appends-${run}`)
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    const repo = await Repo.open(join(dir, 'repo'))
    const series = (await repo.createCollection('a', schema)).series('s')
    const each: number[] = []
    for (let i = 0; i < appends; i++) {
      const from = i * rowsEach
      each.push(
        await time(() =>
          series.write({
            timestamp: ts.subarray(from, from + rowsEach),
            value: values.subarray(from, from + rowsEach),
          }),
        ),
      )
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    ratios.push(sum(each.slice(-100)) / sum(each.slice(0, 100)))
    totals.push(sum(each))
    rawTotals.push(
      await time(async () => {
        for (let i = 0; i < appends; i++) {
          const from = i * rowsEach
          await appendFile(join(dir, 'raw.ts'), bytesOf(ts.subarray(from, from + rowsEach)))
          await appendFile(join(dir, 'raw.value'), bytesOf(values.subarray(from, from + rowsEach)))
        }
      }),
    )
    const once = (await (await Repo.open(join(dir, 'once'))).createCollection('a', schema)).series('s')
    await once.write({ timestamp: ts, value: values })
    const readTimes = async (path: string) => {
      const samples: number[] = []
      for (let k = 0; k < 7; k++) {
        const s = (await (await Repo.open(path)).collection('a'))!.series('s')
        samples.push(await time(() => s.read()))
      }
      return median(samples)
    }
    readRatios.push((await readTimes(join(dir, 'repo'))) / (await readTimes(join(dir, 'once'))))
    await rm(dir, { recursive: true, force: true })
  }
  return {
    lastOverFirst: median(ratios),
    appendMs: median(totals),
    rawAppendMs: median(rawTotals),
    readAfterOverReadOnce: median(readRatios),
  }
}
