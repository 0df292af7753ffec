export type { Revision } from './changelog/changelog.ts'
export { Collection, type WriteBatch } from './collection/collection.ts'
export type {
  MergeConflict,
  MergeOptions,
  MergeResolution,
  MergeResult,
  MergeStrategy,
} from './collection/merge-options.ts'
export type { DeleteOptions, IndexBound, ReadOptions } from './collection/read-options.ts'
export { Series } from './collection/series.ts'
export type { CollectionInfo, SeriesInfo } from './collection/series-info.ts'
export type { Version } from './collection/snapshot.ts'
export type {
  CollectionSyncResult,
  CollectionUri,
  Remote,
  SyncOptions,
  SyncProgress,
  SyncResult,
  UpstreamSyncResult,
} from './collection/transfer.ts'
export type { DatasetTarget } from './datasets/dataset-target.ts'
export { type DatasetInfo, Datasets, type PublishDatasetOptions } from './datasets/datasets.ts'
export { type ErrorCode, VarveError, type VarveErrorOptions } from './errors/varve-error.ts'
export type { GcOptions, GcResult } from './gc/collect-garbage.ts'
export type { ColumnArray, ColumnType, TimeUnit } from './model/column-types.ts'
export { Frame, type FrameRow, Schema } from './model/frame.ts'
export type { FrameFormatOptions } from './model/frame-format.ts'
export type { IndexValue } from './model/index-value.ts'
export type { ColumnSpec, SchemaDefinition } from './model/schema-definition.ts'
export { replicate } from './repo/replicate.ts'
export { type CopyCollectionOptions, Repo, type RepoOptions } from './repo/repo.ts'
export { FORMAT_VERSION } from './repo/repo-format.ts'
export type { Closed } from './series/row-range.ts'
export type { ChunkLayout } from './series/segment-writer.ts'
export { type ParsedCollectionUri, parseCollectionUri } from './sharing/collection-uri.ts'
export { publish } from './sharing/publish.ts'
export type { ReplicateOptions } from './sharing/replicate-collection.ts'
export {
  type CachedStore,
  type CachedStoreOptions,
  type CacheStats,
  createCachedStore,
} from './store/cached-store.ts'
export type { FaultRule } from './store/fault-rule.ts'
export { createFaultyStore, type FaultyStore, type FaultyStoreOptions } from './store/faulty-store.ts'
export {
  DEFAULT_FOLDER_CACHE_BYTES,
  type FolderCachedStore,
  type FolderCachedStoreOptions,
  type FolderCacheStats,
  openFolderCachedStore,
} from './store/folder-cached-store.ts'
export { SERVER_CAPABILITIES_PATH, type ServerCapabilities } from './store/http-capabilities.ts'
export { SERVER_LIST_PATH, STATIC_INDEX_NAME, type StaticIndex } from './store/http-listing.ts'
export { createHttpStore, type HttpStoreOptions, openHttpStore } from './store/http-store.ts'
export {
  createInstrumentedStore,
  type InstrumentedStore,
  type OperationStats,
  type StoreStats,
} from './store/instrumented-store.ts'
export {
  compareKeys,
  keyProblem,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  validateKey,
  validatePrefix,
  validateRange,
} from './store/keys.ts'
export { createMemoryStore } from './store/memory-store.ts'
export { redactLocation } from './store/redact-location.ts'
export {
  type ByteRange,
  type CreateEntry,
  type CreateInOrderOptions,
  STORE_CONTRACT_VERSION,
  type Store,
  type StoreCapabilities,
  type StoreOperation,
} from './store/store.ts'
export { alreadyExists, describeOperation, unsupported } from './store/store-errors.ts'
export {
  openStore,
  registerStoreScheme,
  type StoreFactory,
  type StoreOpenOptions,
} from './store/store-registry.ts'
export type { CacheOptions } from './store/tiered-cache-store.ts'
export { DEFAULT_CONCURRENCY, validateConcurrency } from './util/concurrency.ts'
export { forEachLimited } from './util/for-each-limited.ts'
