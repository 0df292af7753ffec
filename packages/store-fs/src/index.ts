export { createFsStore } from './fs-store.ts'
export { openFsStore } from './open-fs-store.ts'
export type { FsStoreOptions } from './options.ts'
