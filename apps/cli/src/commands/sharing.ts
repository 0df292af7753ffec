import { publish, redactLocation, replicate } from '@varve/core'
import { Command } from 'commander'
import { resolveCollectionUri } from '../config.ts'
import { emit } from '../output.ts'
import { syncProgress } from '../progress.ts'
import { run } from '../run.ts'
import { parseCount, parseList } from './parse-options.ts'

/** `varve publish`: push a collection to other repositories and record them as its upstreams. */
export function publishCommand(): Command {
  return new Command('publish')
    .description(
      'Push a collection to one or more repositories and record them as its upstreams: later, `varve push` with no remote sends new revisions to all of them.',
    )
    .argument('<collection>', 'the collection to publish')
    .argument(
      '<targets...>',
      "<repository>#<name> (an alias or a location; #<name> defaults to the collection's name)",
    )
    .option('--concurrency <n>', 'objects copied at once', parseCount, 8)
    .addHelpText(
      'after',
      `
Credentials never go into the recorded URI: each side's SDK finds them (or
the config's options for that location do).

Examples:
  $ varve publish temperature s3://bucket/hub#temperature
  $ varve publish temperature hub gcs-mirror#temps    # aliases from the config
  $ varve push                                        # later: new revisions to every upstream`,
    )
    .action(
      run<{ concurrency: number }>(async (session, args, options) => {
        const [name, targets] = args as [string, string[]]
        const collection = await session.collection(await session.openRepo(), name)
        const uris = targets.map((target) => resolveCollectionUri(target, session.config, name))
        const progress = syncProgress(session.progress, 'publish')
        let recorded: string[]
        try {
          recorded = await publish(collection, uris, {
            concurrency: options.concurrency,
            onProgress: progress.onProgress,
          })
        } finally {
          progress.stop()
        }
        const shown = recorded.map(redactLocation)
        emit(session, { collection: name, upstreams: shown }, () =>
          [`Published "${name}" to:`, ...shown.map((uri) => `  ${uri}`)].join('\n'),
        )
      }),
    )
}

interface ReplicateCommandOptions {
  readonly series?: string[]
  readonly since?: string
  readonly concurrency: number
}

/** `varve replicate`: a read-only copy of a collection elsewhere, kept up to date by `varve pull`. */
export function replicateCommand(): Command {
  return new Command('replicate')
    .description(
      'Make a read-only replica of a collection published elsewhere, linked to it: `varve pull` brings its new revisions ("up to date" costs one listing there).',
    )
    .argument('<source>', '<repository>#<collection> (the repository an alias or a location)')
    .argument('[name]', "the replica's name here (default: the source collection's)")
    .option('--series <labels>', 'only these series, comma-separated (a partial replica)', parseList)
    .option('--since <index>', 'only rows from this index value on (a partial replica)')
    .option('--concurrency <n>', 'objects copied at once', parseCount, 8)
    .addHelpText(
      'after',
      `
Writes to a replica fail (ReadOnly, exit status 14); for a writable copy use
\`varve create <name> --from <repository>#<collection>\`.

Examples:
  $ varve replicate s3://bucket/hub#temperature
  $ varve replicate hub#temperature temps-eu --series Brussels,Paris --since 2024-01-01
  $ varve pull                                  # later: bring the replicas up to date`,
    )
    .action(
      run<ReplicateCommandOptions>(async (session, args, options) => {
        const [source, wanted] = args as [string, string | undefined]
        const uri = resolveCollectionUri(source, session.config)
        const name = wanted ?? uri.slice(uri.lastIndexOf('#') + 1)
        const repo = await session.openRepo()
        const progress = syncProgress(session.progress, 'replicate')
        try {
          const replica = await replicate(uri, repo, name, {
            concurrency: options.concurrency,
            onProgress: progress.onProgress,
            ...(options.series === undefined ? {} : { series: options.series }),
            ...(options.since === undefined ? {} : { since: options.since }),
          })
          progress.stop()
          const labels = await replica.labels()
          emit(
            session,
            { collection: name, upstream: redactLocation(uri), series: labels },
            () =>
              `Replicated ${redactLocation(uri)} as "${name}" (read-only, ${labels.length} series); varve pull brings it up to date.`,
          )
        } finally {
          progress.stop()
        }
      }),
    )
}
