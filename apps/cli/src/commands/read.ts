import { writeFile } from 'node:fs/promises'
import type { ReadOptions } from '@varve/core'
import { Command, Option } from 'commander'
import { checkBinaryTarget, type FrameFormat, renderFrame } from '../frame-output.ts'
import { run } from '../run.ts'
import type { Session } from '../session.ts'
import { parseAt, parseCount, parseList } from './parse-options.ts'

interface ReadCommandOptions {
  readonly start?: string
  readonly stop?: string
  readonly closed?: 'both' | 'left' | 'right' | 'neither'
  readonly at?: string
  readonly select?: string[]
  readonly limit?: number
  readonly offset?: number
  readonly csv?: boolean
  readonly arrow?: boolean
  readonly rows: number
  readonly output?: string
}

/** `varve read` (alias `export`): a series' rows as a table, CSV, JSON lines or Arrow IPC. */
export function readCommand(): Command {
  return new Command('read')
    .alias('export')
    .description(
      'Read rows of a series: a readable table by default, or --csv, --json (JSON lines), --arrow.',
    )
    .argument('<collection>', 'the collection')
    .argument('<series>', 'the series label')
    .option('--start <index>', 'first index value (ISO date-time for timestamps), inclusive by default')
    .option('--stop <index>', 'last index value, inclusive by default')
    .addOption(
      new Option('--closed <ends>', 'which of start/stop count as inside').choices([
        'both',
        'left',
        'right',
        'neither',
      ]),
    )
    .option(
      '--at <revision|time>',
      'read the past: a revision id (or unique prefix) or an ISO date-time',
      parseAt,
    )
    .option(
      '--select <columns>',
      'value columns to return, comma-separated (index columns always come)',
      parseList,
    )
    .option('--limit <n>', 'rows to return at most', parseCount)
    .option('--offset <n>', 'rows to skip first', parseCount)
    .option('--csv', 'CSV with a header row')
    .option('--arrow', 'Arrow IPC stream (binary: redirect it or use --output)')
    .option('--rows <n>', 'rows the table shows (head and tail)', parseCount, 20)
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addHelpText(
      'after',
      `
--json (a global option) prints JSON lines, one object per row, which
\`varve write\` reads back.

Examples:
  $ varve read temperature Brussels
  $ varve read temperature Brussels --start 2020-01-02 --stop 2020-01-31 --csv > jan.csv
  $ varve read temperature Brussels --at 2026-11-01T00:00:00Z --limit 5
  $ varve --json read temperature Brussels --select value
  $ varve export temperature Brussels --arrow --output brussels.arrows`,
    )
    .action(run<ReadCommandOptions>(read))
}

async function read(session: Session, args: readonly unknown[], options: ReadCommandOptions): Promise<void> {
  const [name, label] = args as [string, string]
  const format: FrameFormat = options.arrow ? 'arrow' : options.csv ? 'csv' : session.json ? 'json' : 'table'
  checkBinaryTarget(format, options.output)
  const repo = await session.openRepo()
  const collection = await session.collection(repo, name)
  const query: ReadOptions = {
    ...(options.start === undefined ? {} : { start: options.start }),
    ...(options.stop === undefined ? {} : { stop: options.stop }),
    ...(options.closed === undefined ? {} : { closed: options.closed }),
    ...(options.at === undefined ? {} : { at: options.at }),
    ...(options.select === undefined ? {} : { select: options.select }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.offset === undefined ? {} : { offset: options.offset }),
  }
  const frame = await collection.series(label).read(query)
  const rendered = renderFrame(frame, format, options.rows)
  if (options.output !== undefined) await writeFile(options.output, rendered)
  else process.stdout.write(rendered)
}
