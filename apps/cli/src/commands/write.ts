import { type Frame, VarveError } from '@varve/core'
import { Command, Option } from 'commander'
import { arrowFrames } from '../input/arrow-input.ts'
import { Batches } from '../input/batches.ts'
import { parseParquet } from '../input/parquet-input.ts'
import { parseDelimited, parseJsonLines } from '../input/parse-text.ts'
import { detectFormat, INPUT_FORMATS, readInput } from '../input/read-input.ts'
import { emit, note } from '../output.ts'
import { createProgress } from '../progress.ts'
import { run } from '../run.ts'
import type { Session } from '../session.ts'

interface WriteOptions {
  readonly file?: string
  readonly format?: string
  readonly seriesColumn: string
}

/** `varve write` (alias `import`): rows from CSV, TSV, JSON lines, Arrow IPC or Parquet, as one commit. */
export function writeCommand(): Command {
  return new Command('write')
    .alias('import')
    .description(
      "Write rows into a collection as one commit (a revision). Each series' rows replace what it held between their first and last index value; rows outside stay.",
    )
    .argument('<collection>', 'the collection to write to')
    .argument(
      '[series]',
      'the series every row goes to; without it, each row names its series in --series-column',
    )
    .option('-f, --file <path>', "the input file ('-' or none: stdin)")
    .addOption(
      new Option('--format <format>', 'the input format (default: from the extension, else sniffed)').choices(
        INPUT_FORMATS,
      ),
    )
    .option('--series-column <name>', "the column naming each row's series", 'series')
    .addHelpText(
      'after',
      `
Input: a header row (CSV/TSV), keys (JSON lines) or fields (Arrow IPC, Parquet)
naming every column of the collection; timestamps as ISO-8601 text or integers
in the column's unit. Parquet files are read with hyparquet (snappy or none).

Examples:
  $ varve write temperature Brussels --file brussels.csv
  $ printf 'timestamp,value\\n2020-01-04,4.5\\n' | varve write temperature Brussels
  $ varve import temperature --file all-cities.csv --series-column city
  $ varve write temperature --file readings.jsonl
  $ varve write temperature Oslo --file oslo.arrow
  $ varve import temperature --file readings.parquet`,
    )
    .action(run<WriteOptions>(write))
}

async function write(session: Session, args: readonly unknown[], options: WriteOptions): Promise<void> {
  const [name, label] = args as [string, string | undefined]
  const repo = await session.openRepo()
  const collection = await session.collection(repo, name)
  const { bytes, source } = await readInput(options.file)
  const format = detectFormat(options.format, options.file === '-' ? undefined : options.file, bytes)
  // Progress only where there is time to watch it.
  const large = bytes.length > 4 << 20
  const progress = createProgress(large ? session.progress : 'none', `import ${source}`, 'bytes')
  const onBytes = (done: number) => progress.update(done, bytes.length, { done, total: bytes.length })

  let frames: Map<string, Frame | Record<string, unknown[]>>
  let lines: Map<string, number[]> | undefined
  let rows: number
  if (format === 'arrow') {
    frames = arrowFrames(bytes, collection.schema, label, options.seriesColumn, source)
    rows = [...frames.values()].reduce((n, f) => n + (f as Frame).length, 0)
  } else {
    const batches = new Batches(collection.schema, label, options.seriesColumn)
    try {
      if (format === 'parquet') await parseParquet(bytes, batches, source)
      else if (format === 'jsonl') parseJsonLines(bytes, batches, source, onBytes)
      else await parseDelimited(bytes, format === 'tsv' ? '\t' : ',', batches, source, onBytes)
    } finally {
      progress.stop()
    }
    frames = new Map([...batches.series].map(([series, rows]) => [series, rows.columns]))
    lines = new Map([...batches.series].map(([series, rows]) => [series, rows.lines]))
    rows = batches.rows
  }
  if (rows === 0) {
    emit(
      session,
      { collection: name, rows: 0, series: 0, revision: null },
      () => `No rows in ${source}; nothing written.`,
    )
    return
  }
  if (large) note(session, `writing ${rows} rows to ${frames.size} series of "${name}"…`)
  let revision: Awaited<ReturnType<typeof collection.write>>
  try {
    revision = await collection.write(frames)
  } catch (error) {
    throw atInputLine(error, lines, source)
  }
  emit(
    session,
    { collection: name, rows, series: frames.size, revision: revision?.id ?? null },
    () =>
      `Wrote ${rows} row${rows === 1 ? '' : 's'} to ${frames.size} series of "${name}" in revision ${revision?.id}.`,
  )
}

// The engine names the series and its row; the user needs the line of the input.
function atInputLine(error: unknown, lines: Map<string, number[]> | undefined, source: string): unknown {
  if (!VarveError.is(error) || lines === undefined) return error
  const { label, row } = error.details as { label?: string; row?: number }
  const line = label === undefined || row === undefined ? undefined : lines.get(label)?.[row]
  if (line === undefined) return error
  return new VarveError(error.code, `Line ${line} of ${source}: ${error.message}`, {
    cause: error,
    details: { ...error.details, line },
  })
}
