export { createGcsStore } from './gcs-store.ts'
export { openGcsStore } from './open-gcs-store.ts'
export type { GcsStoreOptions } from './options.ts'
export type { RetryPolicy } from './retry.ts'
