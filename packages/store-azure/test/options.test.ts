import {
  AnonymousCredential,
  BlobServiceClient,
  ContainerClient,
  StorageSharedKeyCredential,
} from '@azure/storage-blob'
import { VarveError } from '@varve/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAzureStore } from '../src/azure-store.ts'
import { CONNECTION_STRING_VARIABLE } from '../src/container-client.ts'
import { openAzureStore } from '../src/open-azure-store.ts'
import type { AzureStoreOptions } from '../src/options.ts'
import { ACCOUNT, ACCOUNT_KEY } from './azurite.ts'

const endpoint = `http://127.0.0.1:10000/${ACCOUNT}`
const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${endpoint};`

function refusal(make: () => unknown): VarveError {
  try {
    make()
  } catch (error) {
    if (VarveError.is(error)) return error
    throw error
  }
  throw new Error('expected the call to throw')
}

let saved: string | undefined
beforeEach(() => {
  saved = process.env[CONNECTION_STRING_VARIABLE]
  delete process.env[CONNECTION_STRING_VARIABLE]
})
afterEach(() => {
  if (saved === undefined) delete process.env[CONNECTION_STRING_VARIABLE]
  else process.env[CONNECTION_STRING_VARIABLE] = saved
})

describe('createAzureStore options', () => {
  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /must be an object/],
    [
      'no credentials at all',
      { container: 'data' },
      /has no credentials: pass connectionString, account with accountKey/,
    ],
    [
      'an unknown option',
      { container: 'data', connectionString, conatiner: 'x' },
      /Unknown Azure store option "conatiner"/,
    ],
    [
      'two credential sources',
      { container: 'data', connectionString, accountKey: 'k' },
      /not connectionString and accountKey/,
    ],
    ['no container', { connectionString }, /needs a container name/],
    ['a container Azure refuses', { connectionString, container: 'My_Data' }, /3–63 lowercase letters/],
    ['a container with a double dash', { connectionString, container: 'my--data' }, /3–63 lowercase letters/],
    [
      'a key without account',
      { container: 'data', accountKey: ACCOUNT_KEY },
      /needs the storage account name/,
    ],
    [
      'an account Azure refuses',
      { container: 'data', account: 'My-Account', accountKey: 'k' },
      /3–24 lowercase/,
    ],
    [
      'an empty SAS token',
      { container: 'data', account: 'acct', sasToken: '?' },
      /sasToken must be a non-empty/,
    ],
    [
      'an endpoint with a query',
      { container: 'data', account: 'acct', accountKey: 'k', endpoint: 'https://x/?a=1' },
      /without query/,
    ],
    [
      'an endpoint that is no URL',
      { container: 'data', account: 'acct', accountKey: 'k', endpoint: 'nope' },
      /must be a URL/,
    ],
    ['a SAS URL without token', { sasUrl: 'https://acct.blob.core.windows.net/data' }, /holds no SAS token/],
    ['a SAS URL that is no URL', { sasUrl: 'acct/data?sig=x' }, /sasUrl must be a URL/],
    [
      'a prefix that is no key path',
      { connectionString, container: 'data', prefix: 'a/../b' },
      /prefix "a\/..\/b" is not a valid key path/,
    ],
    [
      'a prefix that is no string',
      { connectionString, container: 'data', prefix: 7 },
      /prefix must be a string/,
    ],
    [
      'a zero block size',
      { connectionString, container: 'data', blockBytes: 0 },
      /blockBytes must be a whole number from 1/,
    ],
    [
      'a fractional concurrency',
      { connectionString, container: 'data', uploadConcurrency: 1.5 },
      /uploadConcurrency/,
    ],
    [
      'a page over 5000',
      { connectionString, container: 'data', listPageSize: 5001 },
      /listPageSize .* from 1 to 5000/,
    ],
    [
      'zero attempts',
      { connectionString, container: 'data', retry: { attempts: 0 } },
      /retry.attempts must be a whole number ≥ 1/,
    ],
    ['a containerClient that is not one', { containerClient: {} }, /must be a ContainerClient/],
    [
      'a serviceClient that is not one',
      { container: 'data', serviceClient: {} },
      /must be a BlobServiceClient/,
    ],
    [
      'a connection string for another account',
      { connectionString, container: 'data', account: 'other' },
      /is for the account "devstoreaccount1", not "other"/,
    ],
  ])('refuses %s with InvalidArgument', (_, options, message) => {
    const error = refusal(() => createAzureStore(options as AzureStoreOptions))
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toMatch(message)
  })

  it('never repeats a malformed connection string, nor its key', () => {
    const secret = 'c2VjcmV0LWtleS12YWx1ZQ=='
    const error = refusal(() =>
      createAzureStore({ container: 'data', connectionString: `AccountKey=${secret};Nonsense` }),
    )
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toMatch(/connection string \(connectionString\) is malformed/)
    expect(error.message).not.toContain(secret)
    expect(error.cause).toBeUndefined()
  })

  it('describes the store as az://account/container/prefix, without credentials', () => {
    const sas = 'sv=2024-05-04&sp=rl&sig=c2VjcmV0'
    const stores = [
      createAzureStore({ connectionString, container: 'data', prefix: '/team/prices/' }),
      createAzureStore({
        account: ACCOUNT,
        accountKey: ACCOUNT_KEY,
        endpoint,
        container: 'data',
        prefix: 'team/prices',
      }),
      createAzureStore({
        account: ACCOUNT,
        sasToken: `?${sas}`,
        endpoint,
        container: 'data',
        prefix: 'team/prices',
      }),
      createAzureStore({ sasUrl: `${endpoint}/data?${sas}`, prefix: 'team/prices' }),
      createAzureStore({ sasUrl: `${endpoint}?${sas}`, container: 'data', prefix: 'team/prices' }),
      createAzureStore({
        account: ACCOUNT,
        credential: new AnonymousCredential(),
        endpoint,
        container: 'data',
        prefix: 'team/prices',
      }),
      createAzureStore({
        serviceClient: BlobServiceClient.fromConnectionString(connectionString),
        container: 'data',
        prefix: 'team/prices',
      }),
      createAzureStore({ containerClient: new ContainerClient(`${endpoint}/data`), prefix: 'team/prices' }),
    ]
    for (const store of stores) {
      expect(store.description).toBe(`az://${ACCOUNT}/data/team/prices`)
      expect(store.capabilities).toEqual({ atomicCreate: true, rangeRead: true })
    }
    expect(createAzureStore({ connectionString, container: 'data' }).description).toBe(`az://${ACCOUNT}/data`)
    const cloud = createAzureStore({
      account: 'myaccount',
      credential: new StorageSharedKeyCredential('myaccount', ACCOUNT_KEY),
      container: 'data',
    })
    expect(cloud.description).toBe('az://myaccount/data')
    const containerSas = createAzureStore({ sasUrl: `https://myaccount.blob.core.windows.net/data?${sas}` })
    expect(containerSas.description).toBe('az://myaccount/data')
  })

  it('falls back to AZURE_STORAGE_CONNECTION_STRING', () => {
    process.env[CONNECTION_STRING_VARIABLE] = connectionString
    expect(createAzureStore({ container: 'data' }).description).toBe(`az://${ACCOUNT}/data`)
  })
})

describe('openAzureStore', () => {
  it('takes the account, container and prefix from the URI, decoded, and credentials from the options', () => {
    const store = openAzureStore(new URL(`az://${ACCOUNT}/data/caf%C3%A9/x%20y/`), { connectionString })
    expect(store.description).toBe(`az://${ACCOUNT}/data/café/x y`)
    const keyed = openAzureStore(new URL(`az://${ACCOUNT}/data`), { accountKey: ACCOUNT_KEY, endpoint })
    expect(keyed.description).toBe(`az://${ACCOUNT}/data`)
    const development = openAzureStore(new URL(`az://${ACCOUNT}/data/p`), {
      connectionString: 'UseDevelopmentStorage=true',
    })
    expect(development.description).toBe(`az://${ACCOUNT}/data/p`)
  })

  it('uses AZURE_STORAGE_CONNECTION_STRING when the options hold no credentials, for the URI’s account only', () => {
    process.env[CONNECTION_STRING_VARIABLE] = connectionString
    expect(openAzureStore(new URL(`az://${ACCOUNT}/data/p`), { listPageSize: 100 }).description).toBe(
      `az://${ACCOUNT}/data/p`,
    )
    const other = refusal(() => openAzureStore(new URL('az://otheraccount/data/p')))
    expect(other.message).toMatch(
      /AZURE_STORAGE_CONNECTION_STRING\) is for the account "devstoreaccount1", not "otheraccount"/,
    )
    expect(other.message).not.toContain(ACCOUNT_KEY)
  })

  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ['no container', `az://${ACCOUNT}`, { connectionString }, /needs an account and a container/],
    ['user info', `az://user:s3cret@${ACCOUNT}/data`, { connectionString }, /must not hold credentials/],
    [
      'a SAS in the query',
      `az://${ACCOUNT}/data?sig=s3cret`,
      { connectionString },
      /pass a SAS as options.sasToken/,
    ],
    [
      'the container in the options too',
      `az://${ACCOUNT}/data`,
      { connectionString, container: 'x' },
      /drop options.container/,
    ],
    ['a malformed escape', `az://${ACCOUNT}/data/%E0%A4%A`, { connectionString }, /malformed %-escape/],
    ['no credentials', `az://${ACCOUNT}/data`, {}, /set AZURE_STORAGE_CONNECTION_STRING/],
  ])('refuses %s with InvalidArgument, repeating no secret', (_, uri, options, message) => {
    const error = refusal(() => openAzureStore(new URL(uri), options))
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('s3cret')
  })
})
