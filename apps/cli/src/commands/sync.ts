import { type CollectionSyncResult, Repo, type SyncOptions } from '@varve/core'
import { Command } from 'commander'
import { formatBytes, formatTable } from '../format.ts'
import { emit } from '../output.ts'
import { syncProgress } from '../progress.ts'
import { run } from '../run.ts'
import type { Session } from '../session.ts'
import { parseCount } from './parse-options.ts'

interface SyncCommandOptions {
  readonly collection?: string
  readonly concurrency: number
}

function syncOptions(session: Session, verb: string, options: SyncCommandOptions) {
  const progress = syncProgress(session.progress, verb)
  const sync: SyncOptions = { concurrency: options.concurrency, onProgress: progress.onProgress }
  return { sync, stop: progress.stop }
}

function report(
  session: Session,
  verb: string,
  other: string,
  results: readonly CollectionSyncResult[],
): void {
  emit(session, { [verb === 'pull' ? 'from' : 'to']: other, collections: results }, () => {
    if (results.length === 0) return 'No collections to copy.'
    const table = formatTable(
      [
        ['collection', 'revisions', 'objects', 'bytes', 'heads'],
        ...results.map((r) => [
          r.collection,
          r.upToDate ? 'up to date' : String(r.revisions),
          String(r.objects),
          formatBytes(r.bytes),
          String(r.heads.length),
        ]),
      ],
      [false, true, true, true, true],
    )
    const diverged = results.filter((r) => r.heads.length > 1).map((r) => r.collection)
    const hint =
      diverged.length === 0 ? '' : `\n${diverged.join(', ')}: several heads; varve merge joins them.`
    return `${table}${hint}`
  })
}

function withSyncOptions(command: Command): Command {
  return command
    .option('-c, --collection <name>', 'only this collection')
    .option('--concurrency <n>', 'objects copied at once', parseCount, 8)
}

/** `varve push`: copy what another repository lacks to it. */
export function pushCommand(): Command {
  return withSyncOptions(
    new Command('push')
      .description(
        'Copy the revisions and data another repository lacks to it (created if absent). Resumable: re-run after a failure.',
      )
      .argument('<remote>', 'an alias or a location: a folder, s3://, gs://, az://'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ varve push ./backup
  $ varve --repo ./data push s3://my-bucket/varve --concurrency 16
  $ varve push backup --collection temperature     # an alias from the config`,
    )
    .action(
      run<SyncCommandOptions>(async (session, args, options) => {
        const remote = args[0] as string
        const repo = await session.openRepo()
        const target = await session.openStore(remote)
        const { sync, stop } = syncOptions(session, 'push', options)
        try {
          const results = options.collection
            ? [await (await session.collection(repo, options.collection)).push(target, sync)]
            : (await repo.push(target, sync)).collections
          stop()
          report(session, 'push', target.description, results)
        } finally {
          stop()
        }
      }),
    )
}

/** `varve pull`: bring what this repository lacks from another. */
export function pullCommand(): Command {
  return withSyncOptions(
    new Command('pull')
      .description(
        'Copy the revisions and data this repository lacks from another. Diverged histories arrive as extra heads.',
      )
      .argument('<remote>', 'an alias or a location'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ varve pull ./laptop-copy
  $ varve pull s3://my-bucket/varve --collection temperature`,
    )
    .action(
      run<SyncCommandOptions>(async (session, args, options) => {
        const remote = args[0] as string
        const repo = await session.openRepo()
        const source = await session.openStore(remote)
        const { sync, stop } = syncOptions(session, 'pull', options)
        try {
          const results = options.collection
            ? [await (await session.collection(repo, options.collection)).pull(source, sync)]
            : (await repo.pull(source, sync)).collections
          stop()
          report(session, 'pull', source.description, results)
        } finally {
          stop()
        }
      }),
    )
}

/** `varve clone`: copy a whole repository to a new location. */
export function cloneCommand(): Command {
  return new Command('clone')
    .description('Copy a repository to another location (created if absent), every collection and revision.')
    .argument('<source>', 'an alias or a location')
    .argument('<destination>', 'an alias or a location')
    .option('--concurrency <n>', 'objects copied at once', parseCount, 8)
    .addHelpText(
      'after',
      `
Examples:
  $ varve clone s3://my-bucket/varve ./local-copy
  $ varve clone prod staging`,
    )
    .action(
      run<SyncCommandOptions>(async (session, args, options) => {
        const [from, to] = args as [string, string]
        const source = await session.openStore(from)
        const destination = await session.openStore(to, 'repo')
        const { sync, stop } = syncOptions(session, 'clone', options)
        try {
          // Repo.clone is open-then-pull; done here to keep the pull's result for the report.
          const copy = await Repo.open(destination, { create: true })
          const results = (await copy.pull(source, sync)).collections
          stop()
          report(session, 'pull', source.description, results)
        } finally {
          stop()
        }
      }),
    )
}
