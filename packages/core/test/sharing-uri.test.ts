import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createMemoryStore, parseCollectionUri, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

function refusal(input: unknown): VarveError {
  try {
    parseCollectionUri(input as string)
  } catch (error) {
    if (VarveError.is(error, 'InvalidArgument')) return error
    throw error
  }
  throw new Error(`${String(input)} was accepted`)
}

describe('collection URIs', () => {
  it('split a store URI and a collection at the last #, cloud URIs kept as written', () => {
    for (const store of [
      's3://bucket/hub',
      'gs://bucket/hub/deep',
      'az://account/container/hub',
      'memory://hub',
    ]) {
      expect(parseCollectionUri(`${store}#sales`)).toEqual({
        uri: `${store}#sales`,
        storeUri: store,
        collection: 'sales',
      })
    }
  })

  it('make folder paths absolute file:// URIs, so a link means the same folder from any working directory', () => {
    const expected = pathToFileURL(resolve('data')).href
    expect(parseCollectionUri('./data#sales')).toMatchObject({ storeUri: expected, uri: `${expected}#sales` })
    expect(parseCollectionUri(`${resolve('data')}#sales`).storeUri).toBe(expected)
    expect(parseCollectionUri('file:///abs/data#sales').storeUri).toBe('file:///abs/data')
    // A '#' in a folder name stays part of the path.
    expect(parseCollectionUri('./v#2#sales')).toMatchObject({
      collection: 'sales',
      storeUri: pathToFileURL(resolve('v#2')).href,
    })
  })

  it('take a store object and a name, recorded by the store description', () => {
    const store = createMemoryStore({ description: 'memory://objects-hub' })
    expect(parseCollectionUri({ store, collection: 'sales' })).toEqual({
      uri: 'memory://objects-hub#sales',
      storeUri: 'memory://objects-hub',
      collection: 'sales',
      store,
    })
    expect(parseCollectionUri({ store: { store }, collection: 'sales' }).store).toBe(store)
  })

  it('refuse what is not one, each message showing a valid example', () => {
    const cases: [unknown, RegExp][] = [
      ['s3://bucket/hub', /names no collection: add '#<collection>'/],
      ['#sales', /names no repository before '#'/],
      ['s3://bucket/hub#', /invalid collection name ""/],
      ['s3://bucket/hub#no spaces', /invalid collection name "no spaces"/],
      ['s3://bucket/hub#-dash', /invalid collection name "-dash"/],
      ['', /must be a string/],
      [undefined, /must be a string/],
      [42, /must be a string/],
      ['memory://#sales', /fresh in-memory store/],
      [{ store: {}, collection: 'sales' }, /needs \{ store, collection \}/],
      [{ store: createMemoryStore(), collection: 'bad name' }, /invalid collection name/],
    ]
    for (const [input, message] of cases) {
      const error = refusal(input)
      expect(error.message).toMatch(message)
      expect(error.message).toMatch(
        /s3:\/\/bucket\/hub#temperature|memory:\/\/hub#temperature|createMemoryStore/,
      )
    }
  })

  it('refuse credentials and queries without echoing them', () => {
    for (const input of [
      's3://AKIAXXXX:secret@bucket/hub#sales',
      'az://account/container/hub?sv=2024&sig=SECRET#sales',
      'https://user:secret@host/repo#sales',
    ]) {
      const error = refusal(input)
      expect(error.message).toMatch(/carries credentials or a query/)
      expect(error.message).not.toMatch(/secret|SECRET|AKIA/)
    }
  })

  it('refuse a store object whose description carries credentials or a query, since it is what is recorded', () => {
    for (const description of [
      'az://account/container/hub?sv=2024&sig=SECRET',
      's3://AKIAXXXX:secret@bucket/hub',
      'https://user@host/repo',
    ]) {
      const error = refusal({ store: createMemoryStore({ description }), collection: 'sales' })
      expect(error.message, description).toMatch(
        /describes itself as ".*" plus credentials or a query; links are recorded by a store's description/,
      )
      expect(error.message, description).not.toMatch(/secret|SECRET|AKIA|user@/)
    }
    // Descriptions that are no URI, or a fresh memory store's, are recorded as before.
    for (const description of ['memory://', 'a store of my own', 'file:///srv/hub']) {
      const link = parseCollectionUri({ store: createMemoryStore({ description }), collection: 'sales' })
      expect(link.uri).toBe(`${description}#sales`)
    }
  })
})
