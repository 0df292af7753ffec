import type { Writable } from 'node:stream'
import type { Repo, RepoOptions } from '@varve/core'

/** How to start a server; see {@link startServer}. */
export interface ServerOptions {
  /** An open repository to serve. Give this or `uri`. */
  readonly repo?: Repo
  /** A location to open and serve (a folder, `file://`, `s3://`, ...). Give this or `repo`. */
  readonly uri?: string
  /** Options for opening `uri`; `create` defaults to false here (serving nothing is a mistake). */
  readonly repoOptions?: RepoOptions
  /** Port to listen on; default 8080, 0 picks a free one. */
  readonly port?: number
  /** Interface to listen on; default `127.0.0.1` (only this machine). */
  readonly host?: string
  /**
   * The bearer token that allows writes through the object endpoints (`PUT`, `DELETE` under
   * `/repo/`). Without one the server is read-only. Compared in constant time, never logged.
   */
  readonly token?: string
  /** The largest request body (one object `PUT`) in bytes; default 64 MiB, larger is 413. */
  readonly maxBodyBytes?: number
  /** Requests handled at once; past it the server answers 503 with `Retry-After`. Default 64. */
  readonly maxConcurrency?: number
  /** Structured JSON logs (one line per request and per failure): where to, and from what level. Default stdout, `info`; `false` for none. */
  readonly log?: false | { readonly stream?: Writable; readonly level?: 'debug' | 'info' | 'warn' | 'error' }
}

/** A running server. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:8080`; the viewer is at `/`, the API at `/api/`. */
  readonly url: string
  /** The repository's URL for http(s) stores: `Repo.open(repoUrl)`, `repo.pull(repoUrl)`. */
  readonly repoUrl: string
  /** Stops listening and closes open connections; closes the repository when the server opened it. */
  close(): Promise<void>
}

export const DEFAULT_PORT = 8080
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
export const DEFAULT_MAX_CONCURRENCY = 64
/** Where the object endpoints live: the repository URL is `<server>/repo`. */
export const REPO_MOUNT = '/repo/'
