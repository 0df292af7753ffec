import type { Revision } from '@varve/core'
import { Command } from 'commander'
import { formatTable } from '../format.ts'
import { emit } from '../output.ts'
import { run } from '../run.ts'
import type { Session } from '../session.ts'
import { parseCount } from './parse-options.ts'

function revisionJson(revision: Revision, heads: ReadonlySet<string>) {
  return {
    id: revision.id,
    time: revision.time.toISOString(),
    parents: revision.parents,
    writer: revision.writer,
    head: heads.has(revision.id),
  }
}

/** `varve log`: every revision of a collection, oldest first, heads marked. */
export function logCommand(): Command {
  return new Command('log')
    .description('List the revisions of a collection, oldest first; heads are marked with *.')
    .argument('<collection>', 'the collection')
    .option('-n, --last <n>', 'only the last n revisions', parseCount)
    .addHelpText(
      'after',
      `
Examples:
  $ varve log temperature
  $ varve log temperature --last 5
  $ varve --json log temperature | jq -r '.[] | select(.head) | .id'`,
    )
    .action(
      run<{ last?: number }>(async (session, args, options) => {
        const collection = await session.collection(await session.openRepo(), args[0] as string)
        const [all, heads] = await Promise.all([collection.log(), collection.heads()])
        const headIds = new Set(heads.map((h) => h.id))
        const shown = options.last === undefined ? all : all.slice(Math.max(0, all.length - options.last))
        emit(
          session,
          shown.map((r) => revisionJson(r, headIds)),
          () =>
            `${formatTable([
              ['', 'revision', 'time', 'parents'],
              ...shown.map((r) => [
                headIds.has(r.id) ? '*' : ' ',
                r.id,
                r.time.toISOString(),
                r.parents.join(', ') || '—',
              ]),
            ])}\n${all.length} revisions, ${heads.length} head${heads.length === 1 ? '' : 's'}`,
        )
      }),
    )
}

/** `varve heads`: the revisions nothing builds on; more than one means writers diverged. */
export function headsCommand(): Command {
  return new Command('heads')
    .description(
      'List the heads of a collection: more than one means concurrent writers diverged (varve merge joins them).',
    )
    .argument('<collection>', 'the collection')
    .addHelpText(
      'after',
      `
Examples:
  $ varve heads temperature
  $ test "$(varve --json heads temperature | jq length)" -gt 1 && varve merge temperature`,
    )
    .action(
      run(async (session: Session, args) => {
        const collection = await session.collection(await session.openRepo(), args[0] as string)
        const heads = await collection.heads()
        const ids = new Set(heads.map((h) => h.id))
        emit(
          session,
          heads.map((r) => revisionJson(r, ids)),
          () => heads.map((r) => `${r.id}  ${r.time.toISOString()}`).join('\n') || '(no revisions yet)',
        )
      }),
    )
}
