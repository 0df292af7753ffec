import { openStore, Repo, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT, ACCOUNT_KEY, type Azurite, startAzurite } from './azurite.ts'

const day = (d: number) => `2024-03-${String(d).padStart(2, '0')}T00:00:00Z`

describe('opening az:// URIs', () => {
  let server: Azurite
  let container: string
  beforeAll(async () => {
    server = await startAzurite()
    container = await server.createContainer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  async function blobNames(prefix: string): Promise<string[]> {
    const names: string[] = []
    for await (const item of server.service.getContainerClient(container).listBlobsFlat({ prefix }))
      names.push(item.name)
    return names
  }

  it('Repo.open writes a series under the URI’s prefix, and a second open (by key) reads it back', async () => {
    const uri = `az://${ACCOUNT}/${container}/team/temperature`
    const repo = await Repo.open(uri, { store: { connectionString: server.connectionString } })
    expect(repo.store.description).toBe(uri)
    const temperature = await repo.createCollection('temperature', {
      timestamp: 'timestamp*',
      value: 'float64',
    })
    await temperature.series('brussels').write({ timestamp: [1, 2, 3].map(day), value: [7.5, 8, 6.25] })
    await temperature.series('brussels').write({ timestamp: [day(4)], value: [9] })
    await repo.close()

    const again = await Repo.open(uri, {
      store: { accountKey: ACCOUNT_KEY, endpoint: server.endpoint },
      create: false,
    })
    const frame = await (await again.collection('temperature'))!.series('brussels').read()
    expect([...(frame.column('value') as Float64Array)]).toEqual([7.5, 8, 6.25, 9])
    expect(await again.collections()).toEqual(['temperature'])
    await again.close()

    const names = await blobNames('team/')
    expect(names).toContain('team/temperature/varve.json')
    expect(names.every((name) => name.startsWith('team/temperature/'))).toBe(true)
    expect(names.length).toBeGreaterThan(3)
  })

  it('takes the connection string from AZURE_STORAGE_CONNECTION_STRING when the options hold none', async () => {
    const saved = process.env.AZURE_STORAGE_CONNECTION_STRING
    process.env.AZURE_STORAGE_CONNECTION_STRING = server.connectionString
    try {
      const store = await openStore(`az://${ACCOUNT}/${container}/from-env/`)
      expect(store.description).toBe(`az://${ACCOUNT}/${container}/from-env`)
      expect(store.description).not.toContain(ACCOUNT_KEY)
      await store.put('k', new Uint8Array([1, 2]))
      expect(await store.get('k')).toEqual(new Uint8Array([1, 2]))
      expect(await blobNames('from-env/')).toEqual(['from-env/k'])
    } finally {
      if (saved === undefined) delete process.env.AZURE_STORAGE_CONNECTION_STRING
      else process.env.AZURE_STORAGE_CONNECTION_STRING = saved
    }
  })

  it('a container that does not exist fails Repo.open with NotFound, saying to create it', async () => {
    const error = await Repo.open(`az://${ACCOUNT}/no-such-container/x`, {
      store: { connectionString: server.connectionString },
    }).catch((e: unknown) => e)
    expect(VarveError.is(error, 'NotFound')).toBe(true)
    expect((error as Error).message).toMatch(/no-such-container.*create it first/)
  })
})
