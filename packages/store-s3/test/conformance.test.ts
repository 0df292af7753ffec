import { describeStoreConformance } from '@varve/store-conformance'
import { createS3Store } from '../src/s3-store.ts'
import { createTestBucket, localClient, localOptions, randomPrefix } from './local-s3.ts'
import { serverKind, serverOptions, startS3Server } from './s3-server.ts'
import type { ServerProcess } from './server-process.ts'

let server: ServerProcess | undefined

describeStoreConformance(`s3 (${serverKind})`, {
  create: async () => {
    server = await startS3Server()
    const admin = localClient(server.endpoint)
    const bucket = await createTestBucket(admin)
    admin.destroy()
    return createS3Store({
      ...localOptions(server.endpoint),
      ...serverOptions,
      bucket,
      prefix: randomPrefix(),
    })
  },
  destroy: async (store) => {
    await store.close?.()
    await server?.stop()
  },
  racers: 20,
})
