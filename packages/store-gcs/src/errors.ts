import { describeOperation, type ErrorCode, type Store, VarveError } from '@varve/core'

/** The store operations, as named in error messages. */
export type GcsOperation = Exclude<
  keyof Store,
  'description' | 'capabilities' | 'close' | 'stage' | 'readInto'
>

/** Where a failure happened: the operation, the key (or, for `list`, the prefix) and the store's `gs://` description. */
export interface GcsErrorContext {
  readonly operation: GcsOperation
  readonly key: string
  readonly description: string
}

// Connection failures worth retrying, as Node, node-fetch and gaxios report them.
const transientNetworkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])
const transientMessages = /socket hang up|unexpected connection closure|premature close|network timeout/i
// The SDK checks every download and upload against the server's CRC32C: a mismatch is bytes
// damaged in transit, which a new attempt fixes (the SDK deletes the damaged upload itself).
const damagedInTransit = new Set(['CONTENT_DOWNLOAD_MISMATCH', 'FILE_NO_UPLOAD'])
// google-auth-library's reports when no credentials are found or they are refused.
const credentialMessages =
  /default credentials|invalid_grant|invalid_client|unauthorized_client|invalid_rapt|could not refresh access token/i
// Google APIs have reported throttling as 403 with these reasons.
const throttlingReasons = /ratelimitexceeded|quotaexceeded/i

/** The HTTP status of an SDK error (`ApiError.code`, a gaxios `status`), or undefined for anything else. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { code, status, response } = error as { code?: unknown; status?: unknown; response?: unknown }
  for (const candidate of [code, status, (response as { status?: unknown } | undefined)?.status]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate
    if (typeof candidate === 'string' && /^[1-5]\d\d$/.test(candidate)) return Number(candidate)
  }
  return undefined
}

/** True when the server answered 404: the object (or the bucket) does not exist. */
export function isNotFound(error: unknown): boolean {
  return httpStatus(error) === 404
}

/**
 * Translates an error of the Google Cloud Storage SDK into a `VarveError`,
 * cause attached, its message naming the operation, the key and the store:
 * - 412 → `PreconditionFailed` (`create` turns it into `AlreadyExists` itself);
 * - 404 → `NotFound` (the bucket is missing: reads of absent objects never get here);
 * - 401, 403, missing or refused credentials → `PermissionDenied`;
 * - 408, 429, 5xx, 403 rate limits, connection resets and refusals, timeouts,
 *   bytes damaged in transit → `Transient`;
 * - anything else → `StoreFailure`.
 * A `VarveError` passes through unchanged.
 */
export function translateGcsError(error: unknown, context: GcsErrorContext): VarveError {
  if (VarveError.is(error)) return error
  const status = httpStatus(error)
  const [code, advice] = classify(error, status, context)
  const { key, description } = context
  return new VarveError(
    code,
    `Could not ${describeOperation(context.operation, context.key)} in ${description}: ${reasonOf(error)}. ${advice}`,
    {
      cause: error,
      details: { key, store: description, ...(status === undefined ? {} : { status }) },
    },
  )
}

/** The error `create` throws when the key is taken. */
export function alreadyExists(context: GcsErrorContext, cause?: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'AlreadyExists',
    `Object ${JSON.stringify(key)} already exists in ${description}; create-only writes never replace an object. ` +
      'Read it, or write under another key.',
    { cause, details: { key, store: description } },
  )
}

function classify(error: unknown, status: number | undefined, context: GcsErrorContext): [ErrorCode, string] {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : ''
  if (status === 412) {
    return ['PreconditionFailed', 'The object changed (or appeared) meanwhile; read it again before writing.']
  }
  if (status === 404) {
    return [
      'NotFound',
      `The bucket ${bucketOf(context.description)} does not exist (or the credentials cannot see it): create it ` +
        'first; the store never creates buckets.',
    ]
  }
  if (status === 403 && throttlingReasons.test(reasonsOf(error))) return ['Transient', retryAdvice]
  if (status === 401 || status === 403 || credentialMessages.test(message)) {
    return [
      'PermissionDenied',
      'Check the credentials the SDK found (Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, ' +
        '`gcloud auth application-default login`, or the Storage you passed) and that they may read and write ' +
        'objects in the bucket (e.g. roles/storage.objectAdmin).',
    ]
  }
  if (status === 408 || status === 429 || (status !== undefined && status >= 500))
    return ['Transient', retryAdvice]
  if (code !== undefined && (transientNetworkCodes.has(code) || damagedInTransit.has(code))) {
    return ['Transient', retryAdvice]
  }
  if (isTimeout(error) || transientMessages.test(message)) return ['Transient', retryAdvice]
  if (code === 'ENOTFOUND') {
    return ['StoreFailure', 'The endpoint’s host name does not resolve: check apiEndpoint and the network.']
  }
  if (code === 'FILE_NO_UPLOAD_DELETE') {
    return [
      'StoreFailure',
      'The uploaded bytes were damaged in transit and the damaged object could not be removed: delete it, then write again.',
    ]
  }
  return ['StoreFailure', 'The cause holds the SDK’s report.']
}

const retryAdvice = 'This usually passes: retry the call later.'

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 4; depth++) {
    if (typeof current !== 'object' || current === null) return undefined
    const { code, cause } = current as { code?: unknown; cause?: unknown }
    if (typeof code === 'string' && !/^\d+$/.test(code)) return code
    current = cause
  }
  return undefined
}

function isTimeout(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { name, type } = error as { name?: unknown; type?: unknown }
  return (
    name === 'AbortError' || name === 'TimeoutError' || type === 'request-timeout' || type === 'body-timeout'
  )
}

/** The reasons a Google API error lists (`errors[].reason`), joined. */
function reasonsOf(error: unknown): string {
  const errors = (error as { errors?: unknown }).errors
  if (!Array.isArray(errors)) return ''
  return errors.map((e) => String((e as { reason?: unknown } | null)?.reason ?? '')).join(' ')
}

/** The SDK's message without URL query strings (upload sessions, signatures), trimmed to one line. */
function reasonOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error)
  const line =
    raw
      .replace(/\?[^\s'"]*/g, '')
      .trim()
      .split('\n')[0] ?? ''
  return (line.length > 300 ? `${line.slice(0, 300)}…` : line).replace(/\.$/, '') || 'no details'
}

function bucketOf(description: string): string {
  const slash = description.indexOf('/', 'gs://'.length)
  return slash === -1 ? description : description.slice(0, slash)
}
