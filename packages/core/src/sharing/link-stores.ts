import { VarveError } from '../errors/varve-error.ts'
import type { Store } from '../store/store.ts'
import { openStore, type StoreOpenOptions } from '../store/store-registry.ts'
import type { ParsedCollectionUri } from './collection-uri.ts'

/** The options to open another repository's store with, by its URI (see `RepoOptions.remotes`). */
export type RemoteStoreOptions = (uri: string) => StoreOpenOptions | undefined

/**
 * The stores of one repository's links, opened once each. A store object given
 * in a `{ store, collection }` link is used for that store's URI from then on
 * (by this Repo); any other URI is opened with `openStore`, with the options
 * `remotes` gives for it. Stores this opened are closed by `close()`; stores
 * given are their owner's.
 */
export class LinkStores {
  readonly #stores = new Map<string, Store>()
  readonly #opened: Store[] = []
  readonly #marker: (store: Store, create: boolean) => Promise<void>
  readonly #remotes: RemoteStoreOptions | undefined

  /**
   * `marker` checks a store's repository marker (creating it when `create`), as
   * the repository does its own; `remotes` gives the options a URI is opened with.
   */
  constructor(marker: (store: Store, create: boolean) => Promise<void>, remotes?: RemoteStoreOptions) {
    this.#marker = marker
    this.#remotes = remotes
  }

  async open(link: ParsedCollectionUri): Promise<Store> {
    if (link.store !== undefined) {
      const other = this.#stores.get(link.storeUri)
      if (other !== undefined && other !== link.store) {
        throw new VarveError(
          'InvalidArgument',
          `Two different stores describe themselves as ${link.storeUri}; links are recorded by a store's description, so give each its own (e.g. createMemoryStore({ description: 'memory://hub-2' })).`,
        )
      }
      this.#stores.set(link.storeUri, link.store)
      return link.store
    }
    const known = this.#stores.get(link.storeUri)
    if (known) return known
    const store = await openStore(link.storeUri, this.#remotes?.(link.storeUri))
    this.#opened.push(store)
    this.#stores.set(link.storeUri, store)
    return store
  }

  /**
   * `open`, then checks the location holds a repository of a format this build
   * reads (`FormatVersion` otherwise); when none is there, makes one if `create`,
   * else throws `NotFound`.
   */
  async openRepository(link: ParsedCollectionUri, create = false): Promise<Store> {
    const store = await this.open(link)
    await this.#marker(store, create)
    return store
  }

  async close(): Promise<void> {
    const opened = this.#opened.splice(0)
    this.#stores.clear()
    await Promise.all(opened.map((store) => store.close?.()))
  }
}
