import {
  type Collection,
  createInstrumentedStore,
  type InstrumentedStore,
  openStore,
  Repo,
  type Store,
  VarveError,
} from '@varve/core'
import { type Config, configFiles, loadConfig, optionsFor, type ResolvedRepo, resolveRepo } from './config.ts'
import type { StoreUse } from './last-operation.ts'
import { type ProgressMode, progressMode } from './progress.ts'
import { setStoreHooks } from './store-schemes.ts'

/** The options every command takes (commander's global options). */
export interface GlobalOptions {
  readonly repo?: string
  readonly config?: string
  readonly json?: boolean
  readonly progress?: string
}

/**
 * What a command works with: the configuration, the output mode, and the
 * stores it opens (each counted, for `varve stats`, and closed at the end).
 */
export class Session {
  readonly config: Config
  readonly json: boolean
  readonly progress: ProgressMode
  readonly #globals: GlobalOptions
  readonly #env: NodeJS.ProcessEnv
  readonly #stores: { role: StoreUse['role']; store: InstrumentedStore }[] = []

  constructor(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()) {
    this.#globals = globals
    this.#env = env
    this.config = loadConfig(configFiles(globals.config, cwd, env))
    this.json = globals.json === true
    const requested = globals.progress ?? (env.VARVE_PROGRESS || undefined)
    this.progress =
      this.json && requested === undefined ? 'none' : progressMode(requested, process.stderr.isTTY === true)
    setStoreHooks({
      optionsFor: (uri) => optionsFor(uri, this.config),
      opened: (store) => this.#record(store, 'remote'),
    })
  }

  /** The repository commands work on: `--repo`, else `VARVE_REPO`, else the config's `repo`. */
  repoName(): string {
    const name = this.#globals.repo ?? (this.#env.VARVE_REPO || undefined) ?? this.config.repo
    if (name === undefined) {
      throw new VarveError(
        'InvalidArgument',
        'No repository given: pass --repo <alias or location>, set VARVE_REPO, or put "repo" in varve.config.json.',
      )
    }
    return name
  }

  resolve(target: string): ResolvedRepo {
    return resolveRepo(target, this.config)
  }

  /**
   * Opens the command's repository (or `target`). With `create: false` (the
   * default) a location without a repository is `NotFound`, saying to run `varve init`.
   * `wrap` puts a store in front of the repository's (a dry run's overlay).
   */
  async openRepo(
    target = this.repoName(),
    { create = false, wrap }: { create?: boolean; wrap?: (store: Store) => Store } = {},
  ): Promise<Repo> {
    const resolved = this.resolve(target)
    const store = await this.#openStore(resolved, 'repo')
    try {
      const repo = await Repo.open(wrap ? wrap(store) : store, {
        create,
        ...(resolved.cache === undefined ? {} : { cache: resolved.cache }),
      })
      return repo
    } catch (error) {
      if (!create && VarveError.is(error, 'NotFound')) {
        throw new VarveError(
          'NotFound',
          `No Varve repository at ${store.description}; create one with: varve init ${target}`,
          { cause: error },
        )
      }
      throw error
    }
  }

  /** The store an alias or location names, counted as `role` (`remote`: the other side of a push, pull or clone). */
  openStore(target: string, role: StoreUse['role'] = 'remote'): Promise<InstrumentedStore> {
    return this.#openStore(this.resolve(target), role)
  }

  /** The collection `name` of `repo`; `NotFound` listing the collections when it has none of that name. */
  async collection(repo: Repo, name: string): Promise<Collection> {
    const collection = await repo.collection(name)
    if (collection === undefined) {
      const names = await repo.collections()
      throw new VarveError(
        'NotFound',
        `No collection "${name}" in ${repo.store.description}; ${names.length === 0 ? 'it has none yet (varve create makes one)' : `its collections are ${names.join(', ')}`}.`,
      )
    }
    return collection
  }

  /** What every store opened so far was asked. */
  storeUse(): StoreUse[] {
    return this.#stores.map(({ role, store }) => ({ role, store: store.description, stats: store.stats() }))
  }

  /** Closes every store opened (a repository's store is its only resource). */
  async close(): Promise<void> {
    for (const { store } of this.#stores) await store.close?.()
  }

  async #openStore(resolved: ResolvedRepo, role: StoreUse['role']): Promise<InstrumentedStore> {
    const store = await openStore(resolved.uri, resolved.options)
    // Stores of the CLI's schemes come back counted already (see store-schemes.ts); others are counted here.
    const known = this.#stores.find((entry) => entry.store === store)
    if (known === undefined) return this.#record(store, role)
    known.role = role
    return known.store
  }

  #record(inner: Store, role: StoreUse['role']): InstrumentedStore {
    const store = createInstrumentedStore(inner)
    this.#stores.push({ role, store })
    return store
  }
}
