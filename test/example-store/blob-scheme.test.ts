import { Repo, registerStoreScheme, VarveError } from '@varve/core'
import { expect, it } from 'vitest'
import { startBlobServer } from './blob-server.ts'
import { createHttpBlobStore } from './http-blob-store.ts'

it('Repo.open makes and reopens a repository on the blob service through a registered blob:// scheme', async () => {
  const server = await startBlobServer()
  try {
    registerStoreScheme('blob', (uri) =>
      createHttpBlobStore({ baseUrl: `http://${uri.host}${uri.pathname}` }),
    )
    const uri = `blob://${new URL(server.url).host}`

    const refused = await Repo.open(uri, { create: false }).catch((error: unknown) => error)
    expect(VarveError.is(refused, 'NotFound')).toBe(true)

    const repo = await Repo.open(uri)
    expect(repo.store.description).toBe(server.url)
    await repo.close()
    await (await Repo.open(uri, { create: false })).close()
  } finally {
    await server.close()
  }
})
