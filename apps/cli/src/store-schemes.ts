import { registerStoreScheme, type Store, type StoreFactory, type StoreOpenOptions } from '@varve/core'

/** What the CLI adds to every store opened in its process, by it or by the engine (a link's upstream). */
export interface StoreHooks {
  /** The options the config gives the store at `uri` (its alias's), to which the caller's add. */
  optionsFor(uri: URL): StoreOpenOptions
  /** Takes the store just opened; returns what to use instead (the CLI counts its requests). */
  opened(store: Store): Store
}

let hooks: StoreHooks | undefined

/** Sets the hooks for the rest of the process (one command, one config). */
export function setStoreHooks(next: StoreHooks): void {
  hooks = next
}

// The store packages are the CLI's own dependencies: imported from here, on first
// use of their scheme, rather than from wherever @varve/core is installed.
const factories: Readonly<Record<string, StoreFactory>> = {
  file: async (uri, options) => (await import('@varve/store-fs')).openFsStore(uri, options),
  s3: async (uri, options) => (await import('@varve/store-s3')).openS3Store(uri, options),
  gs: async (uri, options) => (await import('@varve/store-gcs')).openGcsStore(uri, options),
  az: async (uri, options) => (await import('@varve/store-azure')).openAzureStore(uri, options),
}

for (const [scheme, factory] of Object.entries(factories)) {
  registerStoreScheme(scheme, async (uri, options) => {
    // The engine opens a collection's upstream by its recorded URI alone: the
    // config's options for that location (endpoint, region, ...) make it reachable.
    const store = await factory(uri, { ...hooks?.optionsFor(uri), ...options })
    return hooks ? hooks.opened(store) : store
  })
}
