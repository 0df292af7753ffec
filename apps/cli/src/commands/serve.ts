import { Command } from 'commander'
import { emit } from '../output.ts'
import { run } from '../run.ts'
import { parseCount } from './parse-options.ts'

interface ServeOptions {
  readonly port: number
  readonly host: string
  readonly log: boolean
}

/** `varve serve`: the HTTP API and web viewer of @varve/server over the repository. */
export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Serve the repository over HTTP: the web viewer at /, the JSON API at /api/, and read-only object endpoints at /repo that http(s):// stores (and pulls) read. Runs until interrupted.',
    )
    .option('--port <n>', 'port to listen on (0: any free one)', parseCount, 8080)
    .option('--host <address>', 'interface to listen on (0.0.0.0 exposes it to the network)', '127.0.0.1')
    .option('--log', 'one JSON line per request on stdout')
    .addHelpText(
      'after',
      `
Writes through /repo are allowed only with a bearer token of at least 16
characters, read from VARVE_SERVER_TOKEN (never from the command line, where
other users could see it); without it the server is read-only.

Examples:
  $ varve -R ./data serve
  $ varve -R prod serve --port 9000 --log
  $ varve -R ./mirror pull http://127.0.0.1:8080/repo    # from another shell`,
    )
    .action(
      run<ServeOptions>(
        async (session, _args, options) => {
          const repo = await session.openRepo()
          // Loaded here: the server's framework is no cost to every other command.
          const { startServer } = await import('@varve/server')
          const token = process.env.VARVE_SERVER_TOKEN || undefined
          const server = await startServer({
            repo,
            port: options.port,
            host: options.host,
            log: options.log ? {} : false,
            ...(token === undefined ? {} : { token }),
          })
          emit(session, { url: server.url, repoUrl: server.repoUrl, writable: token !== undefined }, () =>
            [
              `Serving ${repo.store.description} at ${server.url} (viewer), ${server.url}/api/ (API), ${server.repoUrl} (objects${token === undefined ? ', read-only' : ''}).`,
              'Ctrl-C stops it.',
            ].join('\n'),
          )
          await new Promise<void>((resolve) => {
            const stop = () => {
              server.close().then(resolve, resolve)
            }
            process.removeAllListeners('SIGINT')
            process.once('SIGINT', stop)
            process.once('SIGTERM', stop)
          })
        },
        { record: false },
      ),
    )
}
