export { openS3Store } from './open-s3-store.ts'
export type { S3StoreOptions } from './options.ts'
export type { RetryOptions } from './retry.ts'
export { createS3Store } from './s3-store.ts'
