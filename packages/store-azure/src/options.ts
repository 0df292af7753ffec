import type { BlobServiceClient, ContainerClient, newPipeline } from '@azure/storage-blob'
import { keyProblem, VarveError } from '@varve/core'
import type { RetryPolicy } from './retry.ts'

/** What the SDK accepts as a credential: a shared key, anonymous access, or a token credential such as `DefaultAzureCredential` from `@azure/identity`. */
export type AzureCredential = NonNullable<Parameters<typeof newPipeline>[0]>

/**
 * Options of {@link createAzureStore}. Give ONE way to reach the container:
 * `containerClient`; or `container` with one of `serviceClient`, `connectionString`,
 * `sasUrl` (an account SAS URL), `account` + `accountKey`, `account` + `sasToken`,
 * `account` + `credential`; or a container SAS URL as `sasUrl` alone. With none of
 * these, the connection string in `AZURE_STORAGE_CONNECTION_STRING` is used.
 */
export interface AzureStoreOptions {
  /** The container holding the objects (3–63 lowercase letters, digits, '-'). The store never creates it. */
  container?: string
  /** Keys live under this '/'-separated prefix inside the container. Default '' (the whole container). */
  prefix?: string
  /** A ready client for the container; the store uses its pipeline (and its retry policy) as they are. */
  containerClient?: ContainerClient
  /** A ready client for the account; `container` names the container. */
  serviceClient?: BlobServiceClient
  /** An account connection string (shared key or SAS), e.g. the one the Azure portal shows. */
  connectionString?: string
  /** A SAS URL: of the container (`https://acct.blob.core.windows.net/container?sv=…`), or of the account with `container`. */
  sasUrl?: string
  /** The storage account name; with `accountKey`, `sasToken` or `credential`. */
  account?: string
  /** The account's shared key (base64), for a `StorageSharedKeyCredential`. */
  accountKey?: string
  /** A SAS token (`sv=…&sig=…`, with or without the leading '?') for `account`. */
  sasToken?: string
  /** Any credential the SDK accepts, e.g. `new DefaultAzureCredential()` from `@azure/identity` (not a dependency). */
  credential?: AzureCredential
  /** The blob endpoint of `account`. Default `https://<account>.blob.core.windows.net`; Azurite: `http://127.0.0.1:10000/devstoreaccount1`. */
  endpoint?: string
  /** Objects up to this size go in one Put Blob request; larger ones in blocks. Default 8 MiB. */
  singleUploadBytes?: number
  /** The size of each block of a larger object (grown when the object would need more than 50,000). Default 8 MiB. */
  blockBytes?: number
  /** How many blocks of one object upload at once. Default 4. */
  uploadConcurrency?: number
  /** How many deletes run at once. Default 16. */
  deleteConcurrency?: number
  /** Blobs per List Blobs request (the service's maximum is 5,000). Default 5000. */
  listPageSize?: number
  /** A request that takes longer is aborted and counts as a transient failure. Default 120,000 ms. */
  requestTimeoutMs?: number
  /** How transient failures are retried. Default 5 attempts, 100 ms base delay, 5 s cap, full jitter. */
  retry?: Partial<RetryPolicy>
}

/** The options after validation. */
export interface ResolvedAzureStoreOptions {
  /** '' or the prefix without leading or trailing '/'. */
  readonly prefix: string
  /** '' or the prefix followed by '/'. */
  readonly blobPrefix: string
  readonly singleUploadBytes: number
  readonly blockBytes: number
  readonly uploadConcurrency: number
  readonly deleteConcurrency: number
  readonly listPageSize: number
  readonly requestTimeoutMs: number
  readonly retry: RetryPolicy
}

const MIB = 1024 * 1024
// Put Blob takes up to 5000 MiB and Put Block up to 4000 MiB, but the SDK's own single-shot limit is 256 MiB:
// https://learn.microsoft.com/rest/api/storageservices/put-blob#remarks
const MAX_SINGLE_UPLOAD = 256 * MIB
const MAX_BLOCK = 4000 * MIB

const knownOptions = new Set([
  'container',
  'prefix',
  'containerClient',
  'serviceClient',
  'connectionString',
  'sasUrl',
  'account',
  'accountKey',
  'sasToken',
  'credential',
  'endpoint',
  'singleUploadBytes',
  'blockBytes',
  'uploadConcurrency',
  'deleteConcurrency',
  'listPageSize',
  'requestTimeoutMs',
  'retry',
])

/**
 * Checks the options (all but the way to reach the container, see `containerClientOf`).
 * Throws `InvalidArgument` naming the bad option and what to pass instead.
 */
export function resolveAzureStoreOptions(options: AzureStoreOptions): ResolvedAzureStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid(
      `Azure store options must be an object such as { container: 'data', connectionString: '…' }, got ${String(options)}.`,
    )
  }
  for (const name of Object.keys(options)) {
    if (!knownOptions.has(name)) {
      throw invalid(
        `Unknown Azure store option ${JSON.stringify(name)}; the options are: ${[...knownOptions].join(', ')}.`,
      )
    }
  }
  const prefix = normalPrefix(options.prefix)
  return {
    prefix,
    blobPrefix: prefix === '' ? '' : `${prefix}/`,
    singleUploadBytes: whole(options, 'singleUploadBytes', 8 * MIB, 0, MAX_SINGLE_UPLOAD),
    blockBytes: whole(options, 'blockBytes', 8 * MIB, 1, MAX_BLOCK),
    uploadConcurrency: whole(options, 'uploadConcurrency', 4, 1, 64),
    deleteConcurrency: whole(options, 'deleteConcurrency', 16, 1, 256),
    listPageSize: whole(options, 'listPageSize', 5000, 1, 5000),
    requestTimeoutMs: whole(options, 'requestTimeoutMs', 120_000, 1, 24 * 3600_000),
    retry: retryPolicy(options.retry),
  }
}

function normalPrefix(prefix: unknown): string {
  if (prefix === undefined) return ''
  if (typeof prefix !== 'string')
    throw invalid(`The Azure store option prefix must be a string, got ${typeof prefix}.`)
  const trimmed = prefix.replace(/^\/+|\/+$/g, '')
  if (trimmed === '') return ''
  const problem = keyProblem(trimmed)
  if (problem !== undefined) {
    throw invalid(`The Azure store prefix ${JSON.stringify(prefix)} is not a valid key path: ${problem}.`)
  }
  return trimmed
}

function whole(
  options: AzureStoreOptions,
  name: keyof AzureStoreOptions,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = options[name] ?? fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(
      `The Azure store option ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
    )
  }
  return value
}

function retryPolicy(retry: Partial<RetryPolicy> | undefined): RetryPolicy {
  if (retry !== undefined && (typeof retry !== 'object' || retry === null)) {
    throw invalid('The Azure store option retry must be an object such as { attempts: 5 }.')
  }
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 5_000, ...retry }
  const check = (name: keyof RetryPolicy, min: number) => {
    const value = policy[name]
    if (!Number.isSafeInteger(value) || value < min) {
      throw invalid(
        `The Azure store option retry.${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}.`,
      )
    }
  }
  check('attempts', 1)
  check('baseDelayMs', 0)
  check('maxDelayMs', 0)
  return policy
}

function invalid(message: string): VarveError {
  return new VarveError('InvalidArgument', message)
}
