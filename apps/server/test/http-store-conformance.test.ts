import { openStore, Repo, type Store } from '@varve/core'
import { describeStoreConformance } from '@varve/store-conformance'
import { expect } from 'vitest'
import { type RunningServer, startServer } from '../src/index.ts'

// The kit writes, so it runs the store with a token against a server that allows writes; without a
// token the store is read-only, which the kit cannot express (auth.test.ts and static-hosting.test.ts
// cover that mode). openStore asks the server for its store's atomicCreate (memory: true), so the
// kit holds the store to exactly one winner of racing creates.
const TOKEN = 'conformance-token-0123456789abcdef'
const servers = new Map<Store, RunningServer>()

describeStoreConformance('http store on a Varve server', {
  create: async () => {
    const server = await startServer({
      repo: await Repo.open('memory://'),
      port: 0,
      token: TOKEN,
      log: false,
    })
    const store = await openStore(server.repoUrl, { token: TOKEN })
    expect(store.capabilities.atomicCreate).toBe(true)
    servers.set(store, server)
    return store
  },
  destroy: (store) => servers.get(store)?.close(),
})
