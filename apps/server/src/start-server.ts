import { openStore, Repo, VarveError } from '@varve/core'
import { buildApp } from './app.ts'
import { DEFAULT_HOST, DEFAULT_PORT, type RunningServer, type ServerOptions } from './options.ts'

/**
 * Serves a repository over HTTP: the viewer at `/`, the JSON API at `/api/`, and the object
 * endpoints an `http(s)://` store reads at `/repo/` (writes only with `token`). Give `repo` (an
 * open repository) or `uri` (opened here with `create: false` unless `repoOptions` says otherwise).
 * Throws `InvalidArgument` when neither or both are given, `NotFound` when `uri` holds no
 * repository, and the listen error (port taken) as it comes.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if ((options.repo === undefined) === (options.uri === undefined)) {
    throw new VarveError('InvalidArgument', 'startServer needs exactly one of repo (an open Repo) and uri.')
  }
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
    throw new VarveError('InvalidArgument', 'The write token must be a string of at least 16 characters.')
  }
  let repo = options.repo
  let owned = false
  if (repo === undefined) {
    const repoOptions = { create: false, ...options.repoOptions }
    const store = await openStore(options.uri!, repoOptions.store)
    repo = await Repo.open(store, repoOptions)
    owned = true
  }
  const app = buildApp(repo, repo.store, options)
  try {
    await app.listen({ port: options.port ?? DEFAULT_PORT, host: options.host ?? DEFAULT_HOST })
  } catch (error) {
    if (owned) await repo.close()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const host = options.host ?? DEFAULT_HOST
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    repoUrl: `${url}/repo`,
    async close() {
      await app.close()
      if (owned) await repo.close()
    },
  }
}
