import { Command } from 'commander'
import { startActivity } from '../activity.ts'
import { emit } from '../output.ts'
import { run } from '../run.ts'
import { parseDuration } from './parse-options.ts'

interface GcCommandOptions {
  readonly dryRun?: boolean
  readonly grace?: number
  readonly list?: boolean
}

/** `varve gc`: delete what no revision reaches, in two safe phases. */
export function gcCommand(): Command {
  return new Command('gc')
    .description(
      'Delete objects no revision reaches (left by crashed writes, interrupted copies, dropped collections). A key is deleted only when an earlier run saw it unreferenced at least the grace period ago.',
    )
    .option('--dry-run', 'report what a run would delete and record; change nothing')
    .option(
      '--grace <duration>',
      'how long garbage waits before deletion: 30m, 1h, 2d (default 1h; must exceed the longest write)',
      parseDuration,
    )
    .option('--list', 'print every key deleted (or, with --dry-run, that would be)')
    .addHelpText(
      'after',
      `
Run it twice, a grace period apart, to delete: the first run records garbage,
the second deletes what is still garbage.

Examples:
  $ varve gc --dry-run
  $ varve gc
  $ varve gc --grace 2d --list`,
    )
    .action(
      run<GcCommandOptions>(async (session, _args, options) => {
        const repo = await session.openRepo()
        // Core's gc reports no progress: the repository store's request counts show it moving.
        const activity = startActivity(session.progress, 'gc', () => {
          const use = session.storeUse().find((u) => u.role === 'repo')!.stats
          return `${use.list.keys} keys listed, ${use.get.requests} objects read, ${use.delete.keys} deleted`
        })
        let result: Awaited<ReturnType<typeof repo.gc>>
        try {
          result = await repo.gc({
            ...(options.dryRun ? { dryRun: true } : {}),
            ...(options.grace === undefined ? {} : { gracePeriodMs: options.grace }),
          })
        } finally {
          activity.stop()
        }
        emit(session, result, () => {
          const verb = result.dryRun ? 'would delete' : 'deleted'
          const lines = [
            `${result.keptRevisions} revisions kept, ${result.reachableObjects} objects reachable, ${result.scannedObjects} scanned.`,
            `${verb} ${result.deleted.length} keys; ${result.candidates} unreferenced keys ${result.dryRun ? 'would be' : ''} recorded for a later run.`.replace(
              '  ',
              ' ',
            ),
          ]
          if (options.list) lines.push(...result.deleted.map((key) => `  ${key}`))
          return lines.join('\n')
        })
      }),
    )
}

/** `varve squash`: pack a collection's shared history into one object. */
export function squashCommand(): Command {
  return new Command('squash')
    .description(
      'Pack the history every head shares into one object, so a long history lists in few requests. Every revision stays readable.',
    )
    .argument('<collection>', 'the collection')
    .addHelpText('after', '\nExample:\n  $ varve squash temperature')
    .action(
      run(async (session, args) => {
        const name = args[0] as string
        const collection = await session.collection(await session.openRepo(), name)
        const packed = await collection.squash()
        emit(session, { collection: name, packed }, () => `Packed ${packed} revisions of "${name}".`)
      }),
    )
}
