import { type ColumnSpec, Schema, VarveError } from '@varve/core'
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
    .option('--replica', 'the collection is a read-only replica: stop replicating and delete the local copy')
    .addHelpText('after', '\nExamples:\n  $ varve drop scratch\n  $ varve drop temperature-live --replica')
    .action(
      run(async (session, args, options) => {
        const name = args[0] as string
        await (await session.openRepo()).dropCollection(name, { replica: options.replica === true })
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
      'List the collections (series, revisions, heads), or the series of one collection with rows and stored size.',
    )
    .argument('[collection]', "list this collection's series")
    .addHelpText(
      'after',
      `
A series' size is what its chunks take in the store (compressed). Rows, index
extent and size come from the series indexes: one read per series, no data.

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
        const series = (await collection.seriesInfo()).map((s) => ({
          series: s.label,
          rows: s.rows,
          first: s.first === undefined ? undefined : formatIndexValue(s.first, collection.schema),
          last: s.last === undefined ? undefined : formatIndexValue(s.last, collection.schema),
          storedBytes: s.storedBytes,
        }))
        emit(session, series, () =>
          series.length === 0
            ? `"${name}" holds no series yet.`
            : `${formatTable(
                [
                  ['series', 'rows', 'first', 'last', 'stored'],
                  ...series.map((s) => [
                    s.series,
                    String(s.rows),
                    s.first ?? '',
                    s.last ?? '',
                    formatBytes(s.storedBytes),
                  ]),
                ],
                [false, true, false, false, true],
              )}\n${series.length} series, ${series.reduce((n, s) => n + s.rows, 0)} rows`,
        )
      }),
    )
}
