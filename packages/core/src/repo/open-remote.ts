import type { Remote } from '../collection/transfer.ts'
import type { RemoteStoreOptions } from '../sharing/link-stores.ts'
import type { Store } from '../store/store.ts'
import { openStore } from '../store/store-registry.ts'
import { ensureMarker } from './repo-format.ts'

/**
 * The store of the other side of a push or pull, checked to hold a repository
 * (made when `create`); a location is opened with the options `remotes` gives for it.
 */
export async function openRemote(
  remote: Remote,
  create: boolean,
  remotes?: RemoteStoreOptions,
): Promise<Store> {
  const store =
    typeof remote === 'string'
      ? await openStore(remote, remotes?.(remote))
      : 'store' in remote
        ? remote.store
        : remote
  await ensureMarker(store, create)
  return store
}
