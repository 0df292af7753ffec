import { describeStoreConformance } from '@varve/store-conformance'
import { createS3Store } from '../src/s3-store.ts'
import { createTestBucket, localClient, localOptions, randomPrefix } from './local-s3.ts'
import { type MotoServer, startMoto } from './moto-server.ts'

let server: MotoServer | undefined

describeStoreConformance('s3 (moto)', {
  create: async () => {
    server = await startMoto()
    const admin = localClient(server.endpoint)
    const bucket = await createTestBucket(admin)
    admin.destroy()
    return createS3Store({ ...localOptions(server.endpoint), bucket, prefix: randomPrefix() })
  },
  destroy: async (store) => {
    await store.close?.()
    await server?.stop()
  },
  racers: 20,
})
