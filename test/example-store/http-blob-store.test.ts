import type { Store } from '@varve/core'
import { describeStoreConformance } from '@varve/store-conformance'
import { type BlobServer, startBlobServer } from './blob-server.ts'
import { createHttpBlobStore } from './http-blob-store.ts'

const servers = new WeakMap<Store, BlobServer>()

describeStoreConformance('http-blob example', {
  create: async () => {
    const server = await startBlobServer()
    const store = createHttpBlobStore({ baseUrl: server.url })
    servers.set(store, server)
    return store
  },
  destroy: (store) => servers.get(store)?.close(),
})
