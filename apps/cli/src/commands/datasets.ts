import type { DatasetInfo, DatasetTarget, Repo, Schema } from '@varve/core'
import { VarveError } from '@varve/core'
import { Command } from 'commander'
import { formatTable } from '../format.ts'
import { formatIndexValue, renderFrame } from '../frame-output.ts'
import { emit } from '../output.ts'
import { run } from '../run.ts'
import { parseList } from './parse-options.ts'

function infoJson(info: DatasetInfo, schema: Schema | undefined) {
  const bound = (value: unknown) =>
    value === undefined ? undefined : schema ? formatIndexValue(value, schema) : String(value)
  return {
    name: info.name,
    collection: info.collection,
    revision: info.revision ?? null,
    series: info.series ?? null,
    start: bound(info.start) ?? null,
    stop: bound(info.stop) ?? null,
    published: info.published.toISOString(),
  }
}

async function describeDataset(repo: Repo, name: string) {
  const info = await repo.datasets.describe(name)
  if (info === undefined) {
    const names = await repo.datasets.list()
    throw new VarveError(
      'NotFound',
      `No dataset "${name}"; ${names.length === 0 ? 'none is published (varve datasets publish makes one)' : `the datasets are ${names.join(', ')}`}.`,
    )
  }
  const schema = (await repo.collection(info.collection))?.schema
  return { info, json: infoJson(info, schema) }
}

/** `varve datasets ls|get|publish|unpublish`: named, read-only views every client of the store sees. */
export function datasetsCommand(): Command {
  const datasets = new Command('datasets').description(
    'Named, read-only views of collections (a collection at its head or a pinned revision, optionally some series and an index range), stored in the repository for every client to see.',
  )
  datasets
    .command('ls')
    .description('List the datasets and what each points at.')
    .addHelpText('after', '\nExamples:\n  $ varve datasets ls\n  $ varve --json datasets ls')
    .action(
      run(async (session) => {
        const repo = await session.openRepo()
        const rows: ReturnType<typeof infoJson>[] = []
        for (const name of await repo.datasets.list()) rows.push((await describeDataset(repo, name)).json)
        emit(session, rows, () =>
          rows.length === 0
            ? 'No datasets (varve datasets publish makes one).'
            : formatTable([
                ['dataset', 'collection', 'revision', 'series', 'range'],
                ...rows.map((d) => [
                  d.name,
                  d.collection,
                  d.revision ?? 'head',
                  d.series?.join(',') ?? 'all',
                  d.start === null && d.stop === null ? 'all' : `[${d.start ?? '…'}, ${d.stop ?? '…'})`,
                ]),
              ]),
        )
      }),
    )
  datasets
    .command('get')
    .description(
      'Show what a dataset points at and its series; with a series, read its rows (as `varve read` does).',
    )
    .argument('<name>', 'the dataset')
    .argument('[series]', 'read this series of the dataset')
    .option('--csv', 'rows as CSV')
    .addHelpText(
      'after',
      '\nExamples:\n  $ varve datasets get q3\n  $ varve datasets get q3 Brussels --csv > brussels-q3.csv',
    )
    .action(
      run<{ csv?: boolean }>(async (session, args, options) => {
        const [name, label] = args as [string, string | undefined]
        const repo = await session.openRepo()
        const { json } = await describeDataset(repo, name)
        const view = (await repo.datasets.get(name))!
        if (label !== undefined) {
          const frame = await view.series(label).read()
          process.stdout.write(renderFrame(frame, options.csv ? 'csv' : session.json ? 'json' : 'table', 20))
          return
        }
        const labels = await view.labels()
        emit(session, { ...json, labels }, () =>
          [
            `dataset    ${json.name}`,
            `collection ${json.collection} at ${json.revision ?? 'its head'}`,
            `range      ${json.start ?? '…'} to ${json.stop ?? '…'} (stop excluded)`,
            `series     ${labels.join(', ') || 'none'}`,
            `published  ${json.published}`,
          ].join('\n'),
        )
      }),
    )
  datasets
    .command('publish')
    .description(
      'Publish a dataset: a name for a collection (followed at its head, or pinned), optionally some series and a range.',
    )
    .argument('<name>', "the dataset's name")
    .argument('<collection>', 'the collection it shows')
    .option('--revision <id>', "pin it: a revision id (or unique prefix), or 'head' for the latest now")
    .option('--series <labels>', 'only these series, comma-separated', parseList)
    .option('--start <index>', 'first index value in it (inclusive)')
    .option('--stop <index>', 'first index value past it (exclusive)')
    .option('--overwrite', 'replace a dataset of that name')
    .addHelpText(
      'after',
      `
Examples:
  $ varve datasets publish live temperature
  $ varve datasets publish q3 temperature --revision head --start 2026-07-01 --stop 2026-10-01
  $ varve datasets publish brussels temperature --series Brussels --overwrite`,
    )
    .action(
      run<{ revision?: string; series?: string[]; start?: string; stop?: string; overwrite?: boolean }>(
        async (session, args, options) => {
          const [name, collection] = args as [string, string]
          const target: DatasetTarget = {
            collection,
            ...(options.revision === undefined ? {} : { revision: options.revision }),
            ...(options.series === undefined ? {} : { series: options.series }),
            ...(options.start === undefined ? {} : { start: options.start }),
            ...(options.stop === undefined ? {} : { stop: options.stop }),
          }
          const repo = await session.openRepo()
          const info = await repo.datasets.publish(name, target, { overwrite: options.overwrite === true })
          const json = infoJson(info, (await repo.collection(collection))?.schema)
          emit(
            session,
            json,
            () => `Published dataset "${name}": ${collection} at ${json.revision ?? 'its head'}.`,
          )
        },
      ),
    )
  datasets
    .command('unpublish')
    .description('Remove a dataset (its collection stays).')
    .argument('<name>', 'the dataset')
    .addHelpText('after', '\nExample:\n  $ varve datasets unpublish q3')
    .action(
      run(async (session, args) => {
        const name = args[0] as string
        await (await session.openRepo()).datasets.unpublish(name)
        emit(session, { unpublished: name }, () => `Unpublished dataset "${name}".`)
      }),
    )
  return datasets
}
