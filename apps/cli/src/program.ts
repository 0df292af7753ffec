import { Command, Option } from 'commander'
import { datasetsCommand } from './commands/datasets.ts'
import { headsCommand, logCommand } from './commands/history.ts'
import { gcCommand, squashCommand } from './commands/maintenance.ts'
import { mergeCommand } from './commands/merge.ts'
import { readCommand } from './commands/read.ts'
import { createCommand, dropCommand, initCommand, lsCommand, schemaCommand } from './commands/repository.ts'
import { serveCommand } from './commands/serve.ts'
import { publishCommand, replicateCommand } from './commands/sharing.ts'
import { statsCommand } from './commands/stats.ts'
import { cloneCommand, pullCommand, pushCommand } from './commands/sync.ts'
import { writeCommand } from './commands/write.ts'

/** The `varve` command and its subcommands; `exitOverride` so main decides every exit status. */
export function createProgram(): Command {
  const program = new Command('varve')
    .description(
      'Versioned, columnar storage for numerical series on plain storage: folders, S3, GCS, Azure.',
    )
    .version('0.1.0', '-V, --version')
    .option(
      '-R, --repo <repo>',
      'the repository: an alias from the config, a folder, or a URI (default: VARVE_REPO, else the config\'s "repo")',
    )
    .option(
      '--config <file>',
      'read only this config file (default: VARVE_CONFIG, else ~/.config/varve/config.json and the nearest varve.config.json)',
    )
    .option('--json', 'print results as JSON (read: JSON lines) and errors as a JSON line on stderr')
    .addOption(
      new Option(
        '--progress <mode>',
        'progress of long operations on stderr: auto (a bar on a terminal, lines otherwise), bar, lines, none',
      ).choices(['auto', 'bar', 'lines', 'none']),
    )
    .showHelpAfterError('(varve --help lists the commands; varve <command> --help explains one)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Repositories are named by location (./data, file:///abs/path, s3://bucket/prefix,
gs://bucket/prefix, az://account/container/prefix) or by an alias of a config
file (varve.config.json, nearest to the working folder):

  { "repo": "prod",
    "repos": { "prod": { "uri": "s3://bucket/varve", "options": { "region": "eu-west-1" } },
               "local": "./data" } }

Examples:
  $ varve init ./data
  $ varve -R ./data create temperature timestamp:timestamp* value:float64
  $ varve -R ./data write temperature Brussels --file brussels.csv
  $ varve -R ./data read temperature Brussels --start 2020-01-02
  $ varve -R ./data push s3://bucket/varve

Exit status: 0 ok, 2 usage, 3 invalid input, 4 not found, 5 already exists,
13 merge conflict, 9 transient (retry); the full table is in apps/cli/README.md.`,
    )
  for (const command of [
    initCommand(),
    createCommand(),
    lsCommand(),
    schemaCommand(),
    writeCommand(),
    readCommand(),
    logCommand(),
    headsCommand(),
    mergeCommand(),
    pushCommand(),
    pullCommand(),
    cloneCommand(),
    publishCommand(),
    replicateCommand(),
    datasetsCommand(),
    squashCommand(),
    gcCommand(),
    dropCommand(),
    statsCommand(),
    serveCommand(),
  ]) {
    program.addCommand(command)
  }
  const settle = (command: Command) => {
    command.exitOverride().showHelpAfterError()
    for (const sub of command.commands) settle(sub)
  }
  for (const command of program.commands) settle(command)
  return program
}
