import { type MergeConflict, type MergeStrategy, type Schema, VarveError } from '@varve/core'
import { Command, Option } from 'commander'
import { EXIT_CODES } from '../exit-codes.ts'
import { formatIndexValue } from '../frame-output.ts'
import { emit } from '../output.ts'
import { createOverlayStore } from '../overlay-store.ts'
import { run } from '../run.ts'

interface MergeCommandOptions {
  readonly strategy: MergeStrategy
  readonly dryRun?: boolean
}

/** `varve merge`: join a collection's heads, or with --dry-run show what that would do. */
export function mergeCommand(): Command {
  return new Command('merge')
    .description('Join the heads of a collection into one revision. Nothing written is ever lost.')
    .argument('<collection>', 'the collection')
    .addOption(
      new Option(
        '--strategy <strategy>',
        'last-writer-wins: the later write wins where branches overlap; fail: refuse on any conflict',
      )
        .choices(['last-writer-wins', 'fail'])
        .default('last-writer-wins'),
    )
    .option('--dry-run', 'list the heads and conflicts and write nothing')
    .addHelpText(
      'after',
      `
With --strategy fail, conflicts exit with status 13 (MergeConflict) and nothing
is written. --dry-run runs the merge against an in-memory overlay of the
repository: the same answer, nothing stored.

Examples:
  $ varve merge temperature --dry-run
  $ varve merge temperature
  $ varve merge temperature --strategy fail || echo "resolve by hand"`,
    )
    .action(
      run<MergeCommandOptions>(async (session, args, options) => {
        const name = args[0] as string
        const repo = await session.openRepo(undefined, options.dryRun ? { wrap: createOverlayStore } : {})
        const collection = await session.collection(repo, name)
        const heads = (await collection.heads()).map((h) => h.id)
        if (!options.dryRun) {
          const result = await collection.merge({ strategy: options.strategy })
          emit(
            session,
            {
              collection: name,
              merged: result.merged,
              revision: result.revision?.id ?? null,
              series: result.series,
            },
            () =>
              result.merged.length === 0
                ? `"${name}" has ${heads.length === 0 ? 'no revisions' : 'one head'}; nothing to merge.`
                : `Merged ${result.merged.length} heads of "${name}" into ${result.revision?.id}; series recomputed: ${result.series.join(', ') || 'none'}.`,
          )
          return
        }
        let conflicts: readonly MergeConflict[] = []
        let series: readonly string[] = []
        try {
          series = (await collection.merge({ strategy: 'fail' })).series
        } catch (error) {
          if (!VarveError.is(error, 'MergeConflict')) throw error
          conflicts = (error.details as { conflicts: MergeConflict[] }).conflicts
        }
        const shown = conflicts.map((c) => conflictJson(c, collection.schema))
        emit(session, { collection: name, dryRun: true, heads, conflicts: shown, series }, () => {
          if (heads.length < 2)
            return `"${name}" has ${heads.length === 0 ? 'no revisions' : 'one head'}; nothing to merge.`
          const lines = [`${heads.length} heads: ${heads.join(', ')}`]
          if (conflicts.length === 0)
            lines.push(`No conflicts; a merge would recompute: ${series.join(', ') || 'nothing'}.`)
          else {
            lines.push(`${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}:`)
            for (const c of shown)
              lines.push(`  ${c.series}  [${c.start} … ${c.stop}]  ${c.revisions.join(' vs ')}`)
            lines.push(
              options.strategy === 'fail'
                ? 'With --strategy fail the merge would refuse and write nothing.'
                : 'last-writer-wins would keep the later write in each range.',
            )
          }
          return lines.join('\n')
        })
        if (options.strategy === 'fail' && conflicts.length > 0) process.exitCode = EXIT_CODES.MergeConflict
      }),
    )
}

function conflictJson(conflict: MergeConflict, schema: Schema) {
  const show = (value: unknown) => (value === undefined ? '…' : formatIndexValue(value, schema))
  return {
    series: conflict.label,
    start: show(conflict.start),
    stop: show(conflict.stop),
    revisions: conflict.revisions,
  }
}
