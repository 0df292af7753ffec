import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { VarveError } from '@varve/core'

/** Options of {@link createFsStore}. */
export interface FsStoreOptions {
  /**
   * The folder that holds the objects: a path (relative paths resolve against the
   * current directory) or a `file://` URL, as a string or a `URL`. It is created
   * on the first write; a missing folder reads as an empty store.
   */
  root: string | URL
  /**
   * Flush every written file, and the folder entry that names it, to the disk
   * before the write resolves, so an acknowledged write survives a power loss or
   * an OS crash. Default `true`. With `false` a write still survives the process
   * being killed (the OS holds the bytes), which is enough for scratch data and
   * tests, and is much faster.
   */
  fsync?: boolean
}

/** The options after validation: an absolute root folder and its `file://` description. */
export interface ResolvedFsStoreOptions {
  readonly root: string
  readonly description: string
  readonly fsync: boolean
}

const knownOptions = new Set(['root', 'fsync'])

/**
 * Checks the options and resolves the root to an absolute path.
 * Throws `InvalidArgument` naming the bad option and what to pass instead.
 */
export function resolveFsStoreOptions(options: FsStoreOptions): ResolvedFsStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid(`Fs store options must be an object such as { root: './data' }, got ${String(options)}.`)
  }
  for (const name of Object.keys(options)) {
    if (!knownOptions.has(name)) {
      throw invalid(
        `Unknown fs store option ${JSON.stringify(name)}; the options are: ${[...knownOptions].join(', ')}.`,
      )
    }
  }
  const { fsync = true } = options
  if (typeof fsync !== 'boolean') {
    throw invalid(`The fs store option fsync must be true or false, got ${JSON.stringify(fsync)}.`)
  }
  const root = rootPath(options.root)
  return { root, description: pathToFileURL(root).href, fsync }
}

function rootPath(root: unknown): string {
  if (root instanceof URL) return urlPath(root)
  if (typeof root !== 'string' || root.length === 0) {
    throw invalid(
      `The fs store needs a root folder: pass { root: './data' } or { root: 'file:///abs/path' }.`,
    )
  }
  if (root.includes('\u0000'))
    throw invalid(`The fs store root ${JSON.stringify(root)} holds a NUL character.`)
  if (/^file:/i.test(root)) return urlPath(parseUrl(root))
  // A scheme such as s3:// given to the fs store would otherwise become a folder named "s3:".
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(root)
  if (scheme) {
    throw invalid(
      `The fs store root ${JSON.stringify(root)} is a ${scheme[1]}:// URI; the fs store takes a path or a file:// URL. ` +
        'Use the store package for that scheme instead.',
    )
  }
  return resolve(root)
}

function parseUrl(root: string): URL {
  try {
    return new URL(root)
  } catch (cause) {
    throw invalid(`The fs store root ${JSON.stringify(root)} is not a valid file:// URL.`, cause)
  }
}

function urlPath(url: URL): string {
  if (url.protocol !== 'file:') {
    throw invalid(
      `The fs store root URL ${url.href} must use the file:// scheme; pass a path or a file:// URL.`,
    )
  }
  try {
    return resolve(fileURLToPath(url))
  } catch (cause) {
    throw invalid(
      `The fs store root URL ${url.href} does not name a local folder (write it as file:///abs/path).`,
      cause,
    )
  }
}

function invalid(message: string, cause?: unknown): VarveError {
  return new VarveError('InvalidArgument', message, { cause })
}
