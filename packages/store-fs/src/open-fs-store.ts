import type { Store, StoreOpenOptions } from '@varve/core'
import { createFsStore } from './fs-store.ts'

/**
 * The factory core's URI table calls for `file://` URIs and folder paths
 * (`Repo.open('./data')`); `options` may hold `fsync`.
 */
export function openFsStore(uri: URL, options: StoreOpenOptions = {}): Store {
  return createFsStore({ ...options, root: uri })
}
