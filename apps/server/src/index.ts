export type { RunningServer, ServerOptions } from './options.ts'
export { startServer } from './start-server.ts'
export { writeStaticIndexes } from './static-indexes.ts'
