import { type Collection, type ColumnSpec, type Frame, forEachLimited, Schema, VarveError } from '@varve/core'
import { Command } from 'commander'
import { resolveCollectionUri } from '../config.ts'
import { formatBytes, formatTable } from '../format.ts'
import { formatIndexValue } from '../frame-output.ts'
import { emit } from '../output.ts'
import { syncProgress } from '../progress.ts'
import { run } from '../run.ts'

/** `varve init`: make a repository at a location. */
export function initCommand(): Command {
  return new Command('init')
    .description('Create a repository (a folder, or a bucket prefix); an existing one is left as it is.')
    .argument('[repo]', 'an alias or a location (default: --repo, VARVE_REPO, or the config\'s "repo")')
    .addHelpText(
      'after',
      `
Examples:
  $ varve init ./data
  $ varve init s3://my-bucket/varve
  $ varve init prod            # an alias from varve.config.json`,
    )
    .action(
      run(async (session, args) => {
        const target = (args[0] as string | undefined) ?? session.repoName()
        const repo = await session.openRepo(target, { create: true })
        emit(
          session,
          { repo: repo.store.description },
          () => `Repository ready at ${repo.store.description}.`,
        )
      }),
    )
}

/** `varve create`: make a collection with a schema. */
export function createCommand(): Command {
  return new Command('create')
    .description(
      'Create a collection: its name and columns, each name:type, index columns marked with *; or, with --from, a writable copy of a collection elsewhere (no link to it).',
    )
    .argument('<collection>', "the new collection's name")
    .argument('[columns...]', 'name:type pairs, e.g. timestamp:timestamp* value:float64')
    .option('--from <source>', 'copy <repository>#<collection> (an alias or a location) instead, detached')
    .addHelpText(
      'after',
      `
Types: int8..int64, uint8..uint64, float32, float64, bool, str,
timestamp (ms) or timestamp[s|ms|us|ns]. At least one index column (*).

Examples:
  $ varve create temperature timestamp:timestamp* value:float64
  $ varve create trades time:timestamp[us]* venue:str* price:float64 size:int64
  $ varve create my-temps --from s3://bucket/hub#temperature`,
    )
    .action(
      run<{ from?: string }>(async (session, args, options) => {
        const [name, columns] = args as [string, string[]]
        if ((options.from === undefined) === (columns.length === 0)) {
          throw new VarveError(
            'InvalidArgument',
            'Give either the columns (varve create temperature timestamp:timestamp* value:float64) or --from <repository>#<collection>.',
          )
        }
        const repo = await session.openRepo()
        let schema: Schema
        if (options.from !== undefined) {
          const source = resolveCollectionUri(options.from, session.config)
          const progress = syncProgress(session.progress, 'copy')
          try {
            schema = (await repo.createCollection(name, { source, onProgress: progress.onProgress })).schema
          } finally {
            progress.stop()
          }
        } else {
          schema = new Schema(parseColumns(columns))
          await repo.createCollection(name, schema)
        }
        emit(
          session,
          { collection: name, schema: schema.toJSON() },
          () => `Created "${name}" (${describeSchema(schema.columns)}).`,
        )
      }),
    )
}

function parseColumns(columns: readonly string[]): Record<string, string> {
  const definition: Record<string, string> = {}
  for (const column of columns) {
    const at = column.indexOf(':')
    // Schema reports bad names and types; only the shape name:type is checked here.
    definition[at === -1 ? column : column.slice(0, at)] = at === -1 ? '' : column.slice(at + 1)
  }
  return definition
}

function describeSchema(columns: readonly ColumnSpec[]): string {
  return columns.map((c) => `${c.name}: ${c.type}${c.index ? '*' : ''}`).join(', ')
}

/** `varve drop`: remove a collection. */
export function dropCommand(): Command {
  return new Command('drop')
    .description('Drop a collection and its history (its data objects go at the next gc).')
    .argument('<collection>', 'the collection')
    .addHelpText('after', '\nExample:\n  $ varve drop scratch')
    .action(
      run(async (session, args) => {
        const name = args[0] as string
        await (await session.openRepo()).dropCollection(name)
        emit(session, { dropped: name }, () => `Dropped "${name}".`)
      }),
    )
}

/** `varve schema`: a collection's columns. */
export function schemaCommand(): Command {
  return new Command('schema')
    .description('Show the columns of a collection, their types and which index the rows.')
    .argument('<collection>', 'the collection')
    .addHelpText('after', '\nExamples:\n  $ varve schema temperature\n  $ varve --json schema temperature')
    .action(
      run(async (session, args) => {
        const collection = await session.collection(await session.openRepo(), args[0] as string)
        const { columns } = collection.schema
        emit(session, collection.schema.toJSON(), () =>
          formatTable([
            ['column', 'type', 'index'],
            ...columns.map((c) => [c.name, c.type, c.index ? 'yes' : '']),
          ]),
        )
      }),
    )
}

/** `varve ls`: collections, or the series of one with their row counts and sizes. */
export function lsCommand(): Command {
  return new Command('ls')
    .description(
      'List the collections (series, revisions, heads), or the series of one collection with rows and size.',
    )
    .argument('[collection]', "list this collection's series")
    .addHelpText(
      'after',
      `
A series' size is its raw size (rows × the width of each column's type; text
columns by their UTF-8 length): what it holds, before compression.

Examples:
  $ varve ls
  $ varve ls temperature
  $ varve --json ls temperature`,
    )
    .action(
      run(async (session, args) => {
        const repo = await session.openRepo()
        const name = args[0] as string | undefined
        if (name === undefined) {
          const names = await repo.collections()
          const rows = await Promise.all(
            names.map(async (n) => {
              const collection = (await repo.collection(n))!
              const [labels, log, heads] = await Promise.all([
                collection.labels(),
                collection.log(),
                collection.heads(),
              ])
              return { collection: n, series: labels.length, revisions: log.length, heads: heads.length }
            }),
          )
          emit(session, rows, () =>
            rows.length === 0
              ? `No collections in ${repo.store.description} yet (varve create makes one).`
              : formatTable(
                  [
                    ['collection', 'series', 'revisions', 'heads'],
                    ...rows.map((r) => [
                      r.collection,
                      String(r.series),
                      String(r.revisions),
                      String(r.heads),
                    ]),
                  ],
                  [false, true, true, true],
                ),
          )
          return
        }
        const collection = await session.collection(repo, name)
        const series = await describeSeries(collection)
        emit(session, series, () =>
          series.length === 0
            ? `"${name}" holds no series yet.`
            : `${formatTable(
                [
                  ['series', 'rows', 'first', 'last', 'size'],
                  ...series.map((s) => [
                    s.series,
                    String(s.rows),
                    s.first ?? '',
                    s.last ?? '',
                    formatBytes(s.bytes),
                  ]),
                ],
                [false, true, false, false, true],
              )}\n${series.length} series, ${series.reduce((n, s) => n + s.rows, 0)} rows`,
        )
      }),
    )
}

interface SeriesInfo {
  readonly series: string
  readonly rows: number
  readonly first: string | undefined
  readonly last: string | undefined
  readonly bytes: number
}

const WIDTH: Readonly<Record<string, number>> = {
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
}

// Core has no per-series row count or stored size in its public API: rows come
// from reading the index columns, the size from the column types.
async function describeSeries(collection: Collection): Promise<SeriesInfo[]> {
  const labels = await collection.labels()
  const out: SeriesInfo[] = new Array(labels.length)
  const strColumns = collection.schema.columns.filter((c) => c.type === 'str').map((c) => c.name)
  const fixedWidth = collection.schema.columns
    .filter((c) => c.type !== 'str')
    .reduce((n, c) => n + (WIDTH[c.type] ?? 8), 0)
  await forEachLimited(labels, 8, async (label, i) => {
    const series = collection.series(label)
    const frame: Frame = await series.read({ select: strColumns })
    let bytes = frame.length * fixedWidth
    for (const name of strColumns) {
      for (const text of frame.columns[name] as readonly string[]) bytes += Buffer.byteLength(text)
    }
    const firstIndex = collection.schema.indexColumns[0]!.name
    const index = frame.columns[firstIndex] as ArrayLike<unknown>
    out[i] = {
      series: label,
      rows: frame.length,
      first: frame.length === 0 ? undefined : formatIndexValue(index[0], collection.schema),
      last: frame.length === 0 ? undefined : formatIndexValue(index[frame.length - 1], collection.schema),
      bytes,
    }
  })
  return out
}
