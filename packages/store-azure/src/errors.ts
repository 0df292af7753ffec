import { describeOperation, type ErrorCode, type StoreOperation, VarveError } from '@varve/core'

/** Where a failure happened: the operation, the key (for `list`, the prefix) and the store's `az://` description. */
export interface AzureErrorContext {
  readonly operation: StoreOperation
  readonly key: string
  readonly description: string
}

// Failures of the connection rather than of the request: the same call may well succeed again.
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
])
const transientStatuses = new Set([408, 429, 500, 502, 503, 504])
// Azure error codes that pass: https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes
const transientErrorCodes = new Set(['ServerBusy', 'OperationTimedOut', 'InternalError', 'InvalidBlockList'])

/** The HTTP status of an SDK error, or undefined when the request got no response. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' ? status : undefined
}

/** The Azure error code (`BlobNotFound`, `ConditionNotMet`, ...) or the Node error code (`ECONNRESET`) of an SDK error. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const fromDetails = (error as { details?: { errorCode?: unknown } }).details?.errorCode
  if (typeof fromDetails === 'string') return fromDetails
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** True when the error says the blob is absent (and not its container: a missing container is a misconfiguration). */
export function isBlobNotFound(error: unknown): boolean {
  return statusOf(error) === 404 && errorCodeOf(error) !== 'ContainerNotFound'
}

/** True for 416: the range starts at or past the end of an object that exists. */
export function isRangeNotSatisfiable(error: unknown): boolean {
  return statusOf(error) === 416
}

/**
 * Translates an Azure SDK error into a `VarveError`, cause attached:
 * `BlobAlreadyExists` (409) → `AlreadyExists`; 412 (`ConditionNotMet`) → `PreconditionFailed`
 * (a lost create), except for reads, where it means the blob changed mid-read → `Transient`;
 * `ContainerNotFound` → `NotFound`; 401, 403 → `PermissionDenied`; 408, 429, 500, 502, 503, 504,
 * `ServerBusy`, `OperationTimedOut`, `InternalError`, `InvalidBlockList` (a concurrent commit dropped
 * our staged blocks), connection failures and aborted (timed out) requests → `Transient`;
 * anything else → `StoreFailure`. A `VarveError` passes through unchanged. The message names the
 * key and the store, never credentials.
 */
export function translateAzureError(error: unknown, context: AzureErrorContext): VarveError {
  if (VarveError.is(error)) return error
  const status = statusOf(error)
  const azureCode = errorCodeOf(error)
  const [code, advice] = classify(error, status, azureCode, context.operation)
  const { key, description } = context
  return new VarveError(
    code,
    `Could not ${describeOperation(context.operation, context.key)} in ${description}: ${reasonOf(error)}. ${advice}`,
    {
      cause: error,
      details: {
        key,
        store: description,
        ...(status === undefined ? {} : { status }),
        ...(azureCode === undefined ? {} : { errorCode: azureCode }),
      },
    },
  )
}

/** The error `create` throws when the key is taken. */
export function alreadyExists(context: AzureErrorContext, cause?: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'AlreadyExists',
    `Object ${JSON.stringify(key)} already exists in ${description}; create-only writes never replace an object. ` +
      'Read it, or write under another key.',
    { cause, details: { key, store: description } },
  )
}

function classify(
  error: unknown,
  status: number | undefined,
  azureCode: string | undefined,
  operation: StoreOperation,
): [ErrorCode, string] {
  if (azureCode === 'BlobAlreadyExists') {
    return [
      'AlreadyExists',
      'Create-only writes never replace an object; read it, or write under another key.',
    ]
  }
  if (status === 412) {
    if (operation === 'get' || operation === 'getRange') {
      return ['Transient', 'The object was replaced while it was being read; retry the call.']
    }
    return [
      'PreconditionFailed',
      'Another writer changed or created the object first; read it and decide again.',
    ]
  }
  if (azureCode === 'ContainerNotFound') {
    return [
      'NotFound',
      'The container does not exist: create it first (az storage container create, the portal, or ContainerClient.create()).',
    ]
  }
  if (status === 401 || status === 403) {
    return [
      'PermissionDenied',
      'Check the account key, SAS token (its permissions and expiry) or role assignment (e.g. Storage Blob Data Contributor) for this container.',
    ]
  }
  if (
    (status !== undefined && transientStatuses.has(status)) ||
    (azureCode !== undefined && (transientErrorCodes.has(azureCode) || networkCodes.has(azureCode))) ||
    isAbort(error)
  ) {
    return [
      'Transient',
      'This usually passes: retry the call; if it persists, check the network and the service health.',
    ]
  }
  if (azureCode === 'ENOTFOUND') {
    return ['StoreFailure', 'The host name does not resolve: check the account name or the endpoint.']
  }
  return ['StoreFailure', 'The cause holds the service’s report.']
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name
  return name === 'AbortError' || name === 'TimeoutError'
}

function reasonOf(error: unknown): string {
  if (isAbort(error)) return 'the request timed out (requestTimeoutMs) or was aborted'
  const message = error instanceof Error ? error.message : String(error)
  // Azure appends RequestId and Time lines; the first line is the report.
  const first = (message.split('\n')[0] ?? '').trim().replace(/\.$/, '')
  const status = statusOf(error)
  const code = errorCodeOf(error)
  const tag = [status, code].filter((part) => part !== undefined).join(' ')
  if (first === '') return tag === '' ? 'unknown error' : tag
  return tag === '' || first.includes(tag) ? first : `${first} (${tag})`
}
