import type { OperationStats, StoreOperation } from '@varve/core'
import { Command } from 'commander'
import { formatBytes, formatTable } from '../format.ts'
import { type LastOperation, lastOperationFile, loadLastOperation } from '../last-operation.ts'
import { emit } from '../output.ts'
import { run } from '../run.ts'

const OPERATIONS: readonly StoreOperation[] = ['get', 'getRange', 'put', 'create', 'list', 'delete']

/** `varve stats`: what the last command asked of its stores. */
export function statsCommand(): Command {
  return new Command('stats')
    .description(
      'Show what the last varve command that opened a store asked of it: requests, objects (keys) and bytes per store operation.',
    )
    .option('--objects', "also count the repository's objects by listing it (one listing per prefix)")
    .addHelpText(
      'after',
      `
Every command that opens a store records its counts when it ends, in
$VARVE_STATE_DIR/last-operation.json (default $XDG_STATE_HOME/varve, else
~/.local/state/varve): one record per user, the last command's, like a shell's $?.
\`varve stats\` itself records nothing.

Examples:
  $ varve push s3://bucket/varve && varve stats
  $ varve --json stats | jq '.stores[0].stats.total.requests'
  $ varve stats --objects`,
    )
    .action(
      run<{ objects?: boolean }>(
        async (session, _args, options) => {
          const last = await loadLastOperation(lastOperationFile(process.env))
          const objects = options.objects
            ? await countKeys(await session.openStore(session.repoName(), 'repo'))
            : undefined
          emit(session, { last: last ?? null, ...(objects ? { objects } : {}) }, () => {
            const parts = [last === undefined ? 'No command has recorded store use yet.' : describe(last)]
            if (objects) {
              parts.push(
                `\nKeys in the repository: ${Object.entries(objects)
                  .map(([prefix, n]) => `${prefix} ${n}`)
                  .join(', ')}`,
              )
            }
            return parts.join('\n')
          })
        },
        { record: false },
      ),
    )
}

async function countKeys(store: {
  list(prefix: string): AsyncIterable<string>
}): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const prefix of ['objects/', 'revisions/', 'packs/', 'collections/']) {
    let n = 0
    for await (const _ of store.list(prefix)) n++
    counts[prefix] = n
  }
  return counts
}

function describe(last: LastOperation): string {
  const lines = [
    `${last.command}`,
    `  at ${last.startedAt}, ${last.durationMs} ms, exit status ${last.exitCode}`,
  ]
  for (const use of last.stores) {
    const rows = OPERATIONS.map((op) => [op, use.stats[op]] as const).filter(([, s]) => s.requests > 0)
    lines.push(`\n${use.role} ${use.store}`)
    lines.push(
      formatTable(
        [
          ['operation', 'requests', 'objects', 'bytes', 'errors'],
          ...rows.map(([op, s]) => cells(op, s)),
          cells('total', use.stats.total),
        ],
        [false, true, true, true, true],
      ),
    )
  }
  return lines.join('\n')
}

function cells(name: string, stats: OperationStats): string[] {
  return [name, String(stats.requests), String(stats.keys), formatBytes(stats.bytes), String(stats.errors)]
}
