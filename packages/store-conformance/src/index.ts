export { describeStoreConformance } from './describe-store-conformance.ts'
export type { ConformanceOptions, ConformanceReport } from './options.ts'
export { runStoreConformance } from './run-store-conformance.ts'
