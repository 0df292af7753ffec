import {
  BlobServiceClient,
  ContainerClient,
  newPipeline,
  type StoragePipelineOptions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob'
import { VarveError } from '@varve/core'
import type { AzureStoreOptions } from './options.ts'

/** The environment variable read when no other source of credentials is given. */
export const CONNECTION_STRING_VARIABLE = 'AZURE_STORAGE_CONNECTION_STRING'

// The store retries (see retry.ts); a second retry layer in the SDK would multiply the attempts and hide
// a create whose response was lost.
const pipelineOptions: StoragePipelineOptions = { retryOptions: { maxTries: 1 } }

// Container names: https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
const containerName = /^(?:\$root|\$web|(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*)$/
const accountName = /^[a-z0-9]{3,24}$/

/**
 * The container client the options name: the one given, or one built from a
 * service client, connection string, SAS URL, account key, SAS token or
 * credential, else from `AZURE_STORAGE_CONNECTION_STRING`. Clients it builds
 * have the SDK's own retries off. Throws `InvalidArgument` when the options
 * give no way, two ways, or a malformed one, and when the credentials are for
 * another account than `account`.
 */
export function containerClientOf(options: AzureStoreOptions): ContainerClient {
  const given = [
    'containerClient',
    'serviceClient',
    'connectionString',
    'sasUrl',
    'accountKey',
    'sasToken',
    'credential',
  ].filter((name) => options[name as keyof AzureStoreOptions] !== undefined)
  if (given.length > 1) {
    throw invalid(`Pass one way to reach the container, not ${given.join(' and ')}.`)
  }
  if (options.containerClient !== undefined) {
    // By shape, not instanceof: the caller's @azure/storage-blob may be another copy than ours.
    if (typeof (options.containerClient as Partial<ContainerClient>).getBlockBlobClient !== 'function') {
      throw invalid(
        'The Azure store option containerClient must be a ContainerClient from @azure/storage-blob.',
      )
    }
    if (options.container !== undefined && options.container !== options.containerClient.containerName) {
      throw invalid(
        `The container ${JSON.stringify(options.container)} differs from the containerClient's ${JSON.stringify(options.containerClient.containerName)}; pass one.`,
      )
    }
    checkAccount(options.containerClient.accountName, options.account, 'containerClient')
    return options.containerClient
  }
  if (options.sasUrl !== undefined) return fromSasUrl(options)
  const service = serviceClientOf(options)
  return service.getContainerClient(containerOf(options))
}

function serviceClientOf(options: AzureStoreOptions): BlobServiceClient {
  const { serviceClient, connectionString, account, accountKey, sasToken, credential } = options
  if (serviceClient !== undefined) {
    if (typeof (serviceClient as Partial<BlobServiceClient>).getContainerClient !== 'function') {
      throw invalid(
        'The Azure store option serviceClient must be a BlobServiceClient from @azure/storage-blob.',
      )
    }
    checkAccount(serviceClient.accountName, account, 'serviceClient')
    return serviceClient
  }
  if (connectionString !== undefined)
    return fromConnectionString(connectionString, account, 'connectionString')
  if (accountKey !== undefined || sasToken !== undefined || credential !== undefined) {
    const name = accountOf(account)
    const endpoint = endpointOf(options.endpoint, name)
    if (sasToken !== undefined) {
      if (typeof sasToken !== 'string' || sasToken.replace(/^\?/, '') === '') {
        throw invalid('The Azure store option sasToken must be a non-empty SAS token string (sv=…&sig=…).')
      }
      return new BlobServiceClient(
        `${endpoint}?${sasToken.replace(/^\?/, '')}`,
        newPipeline(undefined, pipelineOptions),
      )
    }
    if (accountKey !== undefined) {
      if (typeof accountKey !== 'string' || accountKey === '') {
        throw invalid('The Azure store option accountKey must be the account key string (base64).')
      }
      return new BlobServiceClient(
        endpoint,
        newPipeline(new StorageSharedKeyCredential(name, accountKey), pipelineOptions),
      )
    }
    return new BlobServiceClient(endpoint, newPipeline(credential, pipelineOptions))
  }
  const fromEnvironment = process.env[CONNECTION_STRING_VARIABLE]
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    return fromConnectionString(fromEnvironment, account, CONNECTION_STRING_VARIABLE)
  }
  throw invalid(
    'The Azure store has no credentials: pass connectionString, account with accountKey, sasToken or credential ' +
      `(e.g. DefaultAzureCredential from @azure/identity), sasUrl, a containerClient or serviceClient, or set ${CONNECTION_STRING_VARIABLE}.`,
  )
}

function fromConnectionString(text: string, account: string | undefined, source: string): BlobServiceClient {
  if (typeof text !== 'string' || text === '') {
    throw invalid(`The Azure connection string (${source}) must be a non-empty string.`)
  }
  let client: BlobServiceClient
  try {
    client = BlobServiceClient.fromConnectionString(text, pipelineOptions)
  } catch (cause) {
    // The SDK's message may quote the string, key included: keep it out of ours and out of the cause.
    throw invalid(
      `The Azure connection string (${source}) is malformed: it needs AccountName and AccountKey, or BlobEndpoint and ` +
        `SharedAccessSignature (${cause instanceof Error ? cause.name : 'error'}).`,
    )
  }
  checkAccount(client.accountName, account, `connection string (${source})`)
  return client
}

function fromSasUrl(options: AzureStoreOptions): ContainerClient {
  const { sasUrl } = options
  let url: URL
  try {
    url = new URL(String(sasUrl))
  } catch {
    throw invalid(
      'The Azure store option sasUrl must be a URL such as https://acct.blob.core.windows.net/container?sv=….',
    )
  }
  if (url.search === '')
    throw invalid('The Azure store option sasUrl holds no SAS token (the part after "?").')
  const pipeline = newPipeline(undefined, pipelineOptions)
  const service = new BlobServiceClient(url.href, pipeline)
  checkAccount(service.accountName, options.account, 'sasUrl')
  // An account SAS URL has no path (or, on Azurite's IP-style endpoints, only the account); else it names the container.
  const path = url.pathname.split('/').filter((segment) => segment !== '')
  const serviceDepth =
    path[0] === service.accountName && !url.hostname.startsWith(`${service.accountName}.`) ? 1 : 0
  if (path.length <= serviceDepth) {
    const base = `${url.origin}/${path.join('/')}`.replace(/\/$/, '')
    return new ContainerClient(`${base}/${encodeURIComponent(containerOf(options))}${url.search}`, pipeline)
  }
  const client = new ContainerClient(url.href, pipeline)
  if (options.container !== undefined && options.container !== client.containerName) {
    throw invalid(
      `The sasUrl is for the container ${JSON.stringify(client.containerName)}, not ${JSON.stringify(options.container)}.`,
    )
  }
  return client
}

/** Refuses a client or credential source for another account than the one asked for (e.g. by an az:// URI). */
function checkAccount(actual: string, wanted: string | undefined, source: string): void {
  if (wanted === undefined || actual === '' || actual === wanted) return
  throw invalid(
    `The Azure ${source} is for the account ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}; ` +
      'pass the matching credentials or account.',
  )
}

function containerOf(options: AzureStoreOptions): string {
  const { container } = options
  if (typeof container !== 'string' || !containerName.test(container)) {
    throw invalid(
      `The Azure store needs a container name of 3–63 lowercase letters, digits and single '-' (or $root), got ${JSON.stringify(container)}.`,
    )
  }
  return container
}

function accountOf(account: string | undefined): string {
  if (typeof account !== 'string' || !accountName.test(account)) {
    throw invalid(
      `The Azure store needs the storage account name (3–24 lowercase letters and digits) with accountKey, sasToken or credential, got ${JSON.stringify(account)}.`,
    )
  }
  return account
}

function endpointOf(endpoint: string | undefined, account: string): string {
  if (endpoint === undefined) return `https://${account}.blob.core.windows.net`
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw invalid(`The Azure store option endpoint must be a URL such as http://127.0.0.1:10000/${account}.`)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.username !== '') {
    throw invalid('The Azure store option endpoint must be an http(s) URL without query or user info.')
  }
  return url.href.replace(/\/$/, '')
}

/** `az://account/container[/prefix]`: where the store points, never with credentials. */
export function describeContainer(container: ContainerClient, prefix: string): string {
  const account = container.accountName || new URL(container.url).hostname
  return `az://${account}/${container.containerName}${prefix === '' ? '' : `/${prefix}`}`
}

function invalid(message: string): VarveError {
  return new VarveError('InvalidArgument', message)
}
