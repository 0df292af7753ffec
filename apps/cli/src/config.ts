import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type CacheOptions, type StoreOpenOptions, VarveError } from '@varve/core'

/** One named repository of a config file. */
export interface RepoEntry {
  /** A folder path (relative to the config file's folder) or a URI. */
  readonly uri: string
  /** Passed to the store (region, endpoint, forcePathStyle, project, ...). Never printed. */
  readonly options?: StoreOpenOptions
  /** Passed to `Repo.open` as its cache. */
  readonly cache?: CacheOptions
}

/** The configuration in force: the aliases of every file read, and the default repository. */
export interface Config {
  /** The default repository (alias or location) when no `--repo` and no VARVE_REPO is given. */
  readonly repo?: string
  readonly repos: Readonly<Record<string, RepoEntry>>
  /** The files read, in order (later ones override earlier ones alias by alias). */
  readonly files: readonly string[]
}

// Not varve.json: that is the marker at a repository's root.
export const PROJECT_FILE = 'varve.config.json'
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]*$/

/**
 * The files read, in order: `$XDG_CONFIG_HOME/varve/config.json` (default
 * `~/.config/varve/config.json`), then the nearest `varve.config.json` in the working
 * folder or a parent. `VARVE_CONFIG` or `--config` names one file to read
 * instead of both. Missing default files are skipped; a named file must exist.
 */
export function configFiles(explicit: string | undefined, cwd: string, env: NodeJS.ProcessEnv): string[] {
  const named = explicit ?? env.VARVE_CONFIG
  if (named !== undefined && named !== '') {
    const file = resolve(cwd, named)
    if (!existsSync(file)) {
      throw new VarveError('NotFound', `The config file ${file} does not exist; create it or drop --config.`)
    }
    return [file]
  }
  const home = env.XDG_CONFIG_HOME || join(homedir(), '.config')
  const files = [join(home, 'varve', 'config.json')].filter((file) => existsSync(file))
  const project = findUp(cwd, PROJECT_FILE)
  if (project !== undefined) files.push(project)
  return files
}

function findUp(from: string, name: string): string | undefined {
  for (let folder = resolve(from); ; folder = dirname(folder)) {
    const file = join(folder, name)
    if (existsSync(file)) return file
    if (dirname(folder) === folder) return undefined
  }
}

/** Reads and checks the config files; throws InvalidArgument naming the file and the fault. */
export function loadConfig(files: readonly string[]): Config {
  let repo: { name: string; base: string } | undefined
  const repos: Record<string, RepoEntry> = {}
  for (const file of files) {
    const parsed = parseFile(file)
    if (parsed.repo !== undefined) repo = { name: parsed.repo, base: dirname(file) }
    Object.assign(repos, parsed.repos)
  }
  if (repo === undefined) return { repos, files }
  // The default names an alias of any file read, or else a location relative to its own file.
  return { repo: repo.name in repos ? repo.name : anchor(repo.name, repo.base), repos, files }
}

function parseFile(file: string): { repo: string | undefined; repos: Record<string, RepoEntry> } {
  const fault = (what: string) =>
    new VarveError('InvalidArgument', `Config file ${file}: ${what}`, { details: { file } })
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (cause) {
    throw new VarveError(
      'InvalidArgument',
      `Config file ${file} is not valid JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  if (!isObject(json)) throw fault('expected an object such as { "repos": { "prod": "s3://bucket/data" } }.')
  for (const key of Object.keys(json)) {
    if (key !== 'repo' && key !== 'repos' && key !== '$schema') {
      throw fault(`unknown key "${key}"; the keys are "repo" (the default) and "repos" (the aliases).`)
    }
  }
  if (json.repo !== undefined && typeof json.repo !== 'string') throw fault('"repo" must be a string.')
  const repos: Record<string, RepoEntry> = {}
  const entries = json.repos ?? {}
  if (!isObject(entries)) throw fault('"repos" must be an object of alias → location.')
  const base = dirname(file)
  for (const [alias, value] of Object.entries(entries)) {
    if (!ALIAS.test(alias)) {
      throw fault(`alias "${alias}" must start with a letter, then letters, digits, '_' or '-'.`)
    }
    const entry = typeof value === 'string' ? { uri: value } : value
    if (!isObject(entry) || typeof entry.uri !== 'string' || entry.uri === '') {
      throw fault(`alias "${alias}" must be a location or { "uri": ..., "options": {...} }.`)
    }
    for (const key of Object.keys(entry)) {
      if (key !== 'uri' && key !== 'options' && key !== 'cache') {
        throw fault(`alias "${alias}" has an unknown key "${key}"; the keys are uri, options and cache.`)
      }
    }
    if (entry.options !== undefined && !isObject(entry.options)) {
      throw fault(`the options of alias "${alias}" must be an object.`)
    }
    if (entry.cache !== undefined && !isObject(entry.cache)) {
      throw fault(`the cache of alias "${alias}" must be an object such as { "folder": "~/.cache/varve" }.`)
    }
    repos[alias] = {
      uri: anchor(entry.uri, base),
      ...(entry.options === undefined ? {} : { options: entry.options as StoreOpenOptions }),
      ...(entry.cache === undefined ? {} : { cache: anchorCache(entry.cache as CacheOptions, base) }),
    }
  }
  return { repo: json.repo, repos }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Folder paths in a config file are relative to that file, so it works from any subfolder.
function anchor(location: string, base: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(location)) return location
  const expanded = location.startsWith('~/') ? join(homedir(), location.slice(2)) : location
  return isAbsolute(expanded) ? expanded : resolve(base, expanded)
}

function anchorCache(cache: CacheOptions, base: string): CacheOptions {
  return cache.folder === undefined ? cache : { ...cache, folder: anchor(cache.folder, base) }
}

/** A repository as a command names it: the alias (if any) resolved. */
export interface ResolvedRepo {
  /** What the user typed (an alias or a location), for messages. */
  readonly name: string
  readonly uri: string
  readonly options: StoreOpenOptions
  readonly cache?: CacheOptions
}

/**
 * Resolves an alias of the config, or takes `target` as a location (a folder
 * path or a URI). A name that is both an alias and a folder is the alias;
 * write `./name` for the folder.
 */
export function resolveRepo(target: string, config: Config): ResolvedRepo {
  const entry = config.repos[target]
  if (entry !== undefined) {
    return {
      name: target,
      uri: entry.uri,
      options: entry.options ?? {},
      ...(entry.cache === undefined ? {} : { cache: entry.cache }),
    }
  }
  return { name: target, uri: target, options: {} }
}

/** A location as a URL string without a trailing '/', for comparing locations. */
function locationKey(location: string): string {
  const href = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(location)
    ? location
    : pathToFileURL(resolve(location)).href
  return href.replace(/\/+$/, '')
}

/**
 * The options of the alias whose location holds `uri` (the same location, or
 * a prefix of it at a '/'), the longest such; none when no alias matches. So a
 * URI typed out in full, or recorded in a repository as a collection's
 * upstream, opens with the settings its alias gives.
 */
export function optionsFor(uri: URL, config: Config): StoreOpenOptions {
  const wanted = locationKey(uri.href)
  let best: { length: number; options: StoreOpenOptions } | undefined
  for (const entry of Object.values(config.repos)) {
    if (entry.options === undefined) continue
    const key = locationKey(entry.uri)
    if ((wanted === key || wanted.startsWith(`${key}/`)) && key.length > (best?.length ?? -1)) {
      best = { length: key.length, options: entry.options }
    }
  }
  return best?.options ?? {}
}

/**
 * A collection URI with its repository part resolved: `prod#temperature` (an
 * alias), `./hub#temperature`, `s3://bucket/hub#temperature`. Without '#', the
 * collection is `defaultName`.
 */
export function resolveCollectionUri(text: string, config: Config, defaultName?: string): string {
  const at = text.lastIndexOf('#')
  const [location, name] = at === -1 ? [text, defaultName] : [text.slice(0, at), text.slice(at + 1)]
  if (name === undefined || name === '') {
    throw new VarveError(
      'InvalidArgument',
      `"${text}" names no collection: write <repository>#<collection>, e.g. s3://bucket/hub#temperature or prod#temperature.`,
    )
  }
  const { uri } = resolveRepo(location, config)
  return `${/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(uri) ? uri : pathToFileURL(resolve(uri)).href}#${name}`
}
