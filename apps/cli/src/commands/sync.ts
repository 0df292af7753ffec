import {
  type Collection,
  type CollectionSyncResult,
  Repo,
  redactLocation,
  type SyncOptions,
  VarveError,
} from '@varve/core'
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

/** Push or pull every collection (or `--collection`) linked to upstreams, through those links. */
async function toUpstreams(session: Session, repo: Repo, verb: 'push' | 'pull', options: SyncCommandOptions) {
  const names = options.collection ? [options.collection] : await repo.collections()
  const linked: Collection[] = []
  for (const name of names) {
    const collection = await session.collection(repo, name)
    // A replica has nothing to push; every linked collection can pull.
    if (collection.upstream.length > 0 && (verb === 'pull' || !collection.readOnly)) linked.push(collection)
  }
  if (linked.length === 0 && options.collection === undefined) {
    throw new VarveError(
      'InvalidArgument',
      verb === 'push'
        ? 'No collection here is published: name the remote (varve push <remote>), or publish one first (varve publish <collection> <repository>#<name>).'
        : 'No collection here has an upstream: name the remote (varve pull <remote>), or replicate one (varve replicate <repository>#<collection>).',
    )
  }
  const { sync, stop } = syncOptions(session, verb, options)
  const rows: UpstreamRow[] = []
  try {
    for (const collection of linked) {
      if (verb === 'push') {
        for (const result of await collection.push(undefined, sync))
          rows.push({ ...result, upstream: redactLocation(result.upstream) })
      } else {
        const result = await collection.pull(undefined, sync)
        rows.push({ ...result, upstream: collection.upstream.map(redactLocation).join(', ') })
      }
    }
  } finally {
    stop()
  }
  emit(session, { collections: rows }, () =>
    formatTable(
      [
        ['collection', 'upstream', 'revisions', 'objects', 'bytes', 'heads'],
        ...rows.map((r) => [
          r.collection,
          r.upstream,
          r.upToDate ? 'up to date' : String(r.revisions),
          String(r.objects),
          formatBytes(r.bytes),
          String(r.heads.length),
        ]),
      ],
      [false, false, true, true, true, true],
    ),
  )
}

type UpstreamRow = CollectionSyncResult & { readonly upstream: string }

/** What `varve push` and `varve pull` do; they differ only in the direction. */
function syncAction(verb: 'push' | 'pull') {
  return run<SyncCommandOptions>(async (session, args, options) => {
    const remote = args[0] as string | undefined
    const repo = await session.openRepo()
    if (remote === undefined) return toUpstreams(session, repo, verb, options)
    const other = await session.openStore(remote)
    const { sync, stop } = syncOptions(session, verb, options)
    try {
      let results: readonly CollectionSyncResult[]
      if (options.collection) {
        const collection = await session.collection(repo, options.collection)
        results = [await (verb === 'push' ? collection.push(other, sync) : collection.pull(other, sync))]
      } else {
        results = (await (verb === 'push' ? repo.push(other, sync) : repo.pull(other, sync))).collections
      }
      stop()
      report(session, verb, other.description, results)
    } finally {
      stop()
    }
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
        'Copy the revisions and data another repository lacks to it (created if absent); without a remote, send each published collection to its upstreams. Resumable: re-run after a failure.',
      )
      .argument('[remote]', 'an alias or a location: a folder, s3://, gs://, az:// (default: the upstreams)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ varve push ./backup
  $ varve --repo ./data push s3://my-bucket/varve --concurrency 16
  $ varve push backup --collection temperature     # an alias from the config
  $ varve push                                     # published collections to their upstreams`,
    )
    .action(syncAction('push'))
}

/** `varve pull`: bring what this repository lacks from another. */
export function pullCommand(): Command {
  return withSyncOptions(
    new Command('pull')
      .description(
        'Copy the revisions and data this repository lacks from another; without a remote, bring each replica (and published collection) up to date from its upstream. Diverged histories arrive as extra heads.',
      )
      .argument('[remote]', 'an alias or a location (default: the upstreams)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ varve pull ./laptop-copy
  $ varve pull s3://my-bucket/varve --collection temperature
  $ varve pull                                     # replicas from their upstreams`,
    )
    .action(syncAction('pull'))
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
