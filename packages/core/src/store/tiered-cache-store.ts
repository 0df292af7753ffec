import { VarveError } from '../errors/varve-error.ts'
import { createCachedStore } from './cached-store.ts'
import { DEFAULT_FOLDER_CACHE_BYTES, openFolderCachedStore } from './folder-cached-store.ts'
import type { Store } from './store.ts'

/** The default size of the memory tier: 64 MiB. */
export const DEFAULT_MEMORY_CACHE_BYTES = 64 * 1024 * 1024

/** The tiers of a cache of immutable objects in front of a store (see `RepoOptions.cache`). */
export interface CacheOptions {
  /** Bytes of objects kept in memory, least recently used evicted first. Default 64 MiB; 0 turns the memory tier off. */
  readonly memoryBytes?: number
  /**
   * A local folder keeping objects across processes and restarts, read after
   * memory and before the store. Default: none. Several processes may share it.
   */
  readonly folder?: string
  /** Bytes of files the folder holds, least recently used evicted first. Default 1 GiB; only with `folder`. */
  readonly folderBytes?: number
}

/**
 * `inner` behind the cache tiers `options` asks for: memory, then a folder,
 * then `inner` (which is returned itself when no tier is on). Only keys
 * `isCacheable` accepts are cached; listings always reach `inner`.
 *
 * Throws `InvalidArgument` for malformed options (before the folder is made),
 * `PermissionDenied` when the folder cannot be created or read.
 */
export async function openTieredCacheStore(
  inner: Store,
  options: CacheOptions,
  isCacheable: (key: string) => boolean,
): Promise<Store> {
  if (typeof options !== 'object' || options === null) {
    throw invalid(`cache must be an object such as { memoryBytes, folder, folderBytes }`, options)
  }
  const { memoryBytes = DEFAULT_MEMORY_CACHE_BYTES, folder, folderBytes } = options
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 0) {
    throw invalid('cache.memoryBytes must be a whole number of bytes ≥ 0 (0 turns it off)', memoryBytes)
  }
  if (folder !== undefined && (typeof folder !== 'string' || folder.length === 0)) {
    throw invalid('cache.folder must be the path of a folder (made when absent)', folder)
  }
  if (folderBytes !== undefined) {
    if (folder === undefined)
      throw invalid('cache.folderBytes bounds cache.folder: give a folder too', folderBytes)
    if (!Number.isSafeInteger(folderBytes) || folderBytes <= 0) {
      throw invalid('cache.folderBytes must be a positive whole number of bytes', folderBytes)
    }
  }
  const behind =
    folder === undefined
      ? inner
      : await openFolderCachedStore(inner, {
          folder,
          maxBytes: folderBytes ?? DEFAULT_FOLDER_CACHE_BYTES,
          isCacheable,
        })
  return memoryBytes > 0 ? createCachedStore(behind, { maxBytes: memoryBytes, isCacheable }) : behind
}

function invalid(problem: string, value: unknown): VarveError {
  return new VarveError('InvalidArgument', `${problem}; got ${JSON.stringify(value)}.`)
}
