import { execFileSync } from 'node:child_process'
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Repo, Schema } from '@varve/core'
import { median, randomWalk, timestamps } from './workloads.ts'

export interface W1Options {
  readonly root: string
  readonly series: number
  readonly rows: number
  readonly runs: number
}

export interface Row {
  readonly name: string
  readonly varveMs: number
  readonly rawMs: number
  readonly goal?: string
}

const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })

/**
 * W1: `series` × `rows` (timestamps 1 s apart, float64 random walk), one write
 * per series, against the same column bytes as plain files in the same run.
 * The raw write has the fs store's durability: write, fsync, rename, fsync of
 * the folder (a rename is on the disk only once its folder is flushed). The
 * same files without the folder flush are measured too and printed beside it.
 * Each Varve step and its raw reference take turns going first, each once the
 * disk has written out what came before (`settleDisk`).
 */
export async function benchW1(
  options: W1Options,
): Promise<{ rows: Row[]; bytesPerRow: number; repoDir: string }> {
  const data = Array.from({ length: options.series }, (_, s) => ({
    label: `series-${String(s).padStart(4, '0')}`,
    timestamp: timestamps(options.rows),
    value: randomWalk(options.rows, s + 1),
  }))
  const samples: Record<string, { varve: number[]; raw: number[] }> = {}
  const record = (name: string, varve: number, raw: number) => {
    samples[name] ??= { varve: [], raw: [] }
    samples[name].varve.push(varve)
    samples[name].raw.push(raw)
  }
  let bytesPerRow = 0
  for (let run = 0; run < options.runs; run++) {
    // Varve and its raw reference take turns going first; each starts once the disk has written out
    // what came before (the last run's deletes, the other side's writes).
    const pair = async (raw: () => Promise<unknown>, varve: () => Promise<unknown>) => {
      const timed = async (task: () => Promise<unknown>) => {
        settleDisk()
        return time(task)
      }
      if (run % 2 === 0) return { raw: await timed(raw), varve: await timed(varve) }
      const varveMs = await timed(varve)
      return { raw: await timed(raw), varve: varveMs }
    }
    const rawDir = join(options.root, `raw-${run}`)
    const repoDir = join(options.root, `repo-${run}`)
    await rm(rawDir, { recursive: true, force: true })
    await rm(repoDir, { recursive: true, force: true })
    await mkdir(rawDir, { recursive: true })

    const unflushedDir = join(options.root, `raw-unflushed-${run}`)
    await rm(unflushedDir, { recursive: true, force: true })
    await mkdir(unflushedDir, { recursive: true })
    settleDisk()
    const rawUnflushed = await time(async () => {
      for (const d of data) {
        await durableWrite(join(unflushedDir, `${d.label}.ts`), bytesOf(d.timestamp))
        await durableWrite(join(unflushedDir, `${d.label}.value`), bytesOf(d.value))
      }
    })
    await rm(unflushedDir, { recursive: true, force: true })
    const repo = await Repo.open(repoDir)
    const c = await repo.createCollection('w1', schema)
    const write = await pair(
      async () => {
        for (const d of data) {
          await durableWrite(join(rawDir, `${d.label}.ts`), bytesOf(d.timestamp), true)
          await durableWrite(join(rawDir, `${d.label}.value`), bytesOf(d.value), true)
        }
      },
      async () => {
        for (const d of data) await c.series(d.label).write({ timestamp: d.timestamp, value: d.value })
      },
    )
    record('write (raw: file and folder fsync)', write.varve, write.raw)
    record('write, against raw files without the folder fsync', write.varve, rawUnflushed)

    const fresh = async () => (await (await Repo.open(repoDir)).collection('w1'))!
    const reader = await fresh()
    const read = await pair(
      async () => {
        for (const d of data) {
          await readFile(join(rawDir, `${d.label}.ts`))
          await readFile(join(rawDir, `${d.label}.value`))
        }
      },
      async () => {
        for (const d of data) await reader.series(d.label).read()
      },
    )
    record('full read', read.varve, read.raw)

    const sliceRows = Math.max(1, Math.floor(options.rows / 100))
    const from = Math.floor(options.rows / 2)
    const start = data[0]!.timestamp[from]!
    const stop = data[0]!.timestamp[from + sliceRows - 1]!
    const slicer = await fresh()
    const slice = await pair(
      async () => {
        for (const d of data) {
          await preadSlice(join(rawDir, `${d.label}.ts`), from * 8, sliceRows * 8)
          await preadSlice(join(rawDir, `${d.label}.value`), from * 8, sliceRows * 8)
        }
      },
      async () => {
        for (const d of data) {
          const frame = await slicer.series(d.label).read({ start, stop })
          if (frame.length !== sliceRows)
            throw new Error(`slice returned ${frame.length} rows, expected ${sliceRows}`)
        }
      },
    )
    record('1% slice of every series', slice.varve, slice.raw)
    bytesPerRow = (await storedBytes(repoDir)) / (options.series * options.rows)
    await rm(rawDir, { recursive: true, force: true })
    // The last run's repository stays for the sync benchmarks.
    if (run < options.runs - 1) await rm(repoDir, { recursive: true, force: true })
  }
  const goals: Record<string, string> = {
    'write (raw: file and folder fsync)': '≤ 3×',
    'full read': '≤ 2×',
    '1% slice of every series': '≤ 10×',
  }
  return {
    rows: Object.entries(samples).map(([name, s]) => ({
      name,
      varveMs: median(s.varve),
      rawMs: median(s.raw),
      goal: goals[name],
    })),
    bytesPerRow,
    repoDir: join(options.root, `repo-${options.runs - 1}`),
  }
}

/** Writes a temporary file, fsyncs it and renames it into place; with `flushFolder`, fsyncs the folder after. */
export async function durableWrite(path: string, bytes: Uint8Array, flushFolder = false): Promise<void> {
  const temp = `${path}.tmp`
  const handle = await open(temp, 'w')
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path)
  if (!flushFolder) return
  const folder = await open(dirname(path), 'r')
  try {
    await folder.sync()
  } finally {
    await folder.close()
  }
}

async function preadSlice(path: string, offset: number, length: number): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.read(Buffer.alloc(length), 0, length, offset)
  } finally {
    await handle.close()
  }
}

export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

/**
 * Waits for the disk to write out everything pending (the `sync` command), so
 * a timed step does not pay for the writes and deletes of the step before it.
 * Does nothing on Windows, which has no such command.
 */
export function settleDisk(): void {
  if (process.platform !== 'win32') execFileSync('sync')
}

export async function time(task: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await task()
  return performance.now() - t0
}

/** Bytes under the repository's folder: data and metadata, everything the store holds. */
export async function storedBytes(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  }
  return total
}
