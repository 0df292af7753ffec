import { describeStoreConformance } from '@varve/store-conformance'
import { createAzureStore } from '../src/azure-store.ts'
import { type Azurite, startAzurite } from './azurite.ts'

const servers = new WeakMap<object, Azurite>()

describeStoreConformance('azure (Azurite 3.35.0)', {
  create: async () => {
    const server = await startAzurite()
    const store = createAzureStore({
      connectionString: server.connectionString,
      container: await server.createContainer(),
      prefix: 'repo/one',
    })
    servers.set(store, server)
    return store
  },
  destroy: async (store) => {
    await servers.get(store)?.stop()
  },
})
