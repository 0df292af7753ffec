import { describeOperation, type ErrorCode, type Store, VarveError } from '@varve/core'

/** The store operations, as named in error messages. */
export type S3Operation = Exclude<
  keyof Store,
  'description' | 'capabilities' | 'close' | 'stage' | 'readInto'
>

/** Where a failure happened: the operation, the key (for `list`, the prefix) and the store's `s3://` description. */
export interface S3ErrorContext {
  readonly operation: S3Operation
  readonly key: string
  readonly description: string
}

/** What the SDK puts on its errors (service exceptions and network failures alike). */
interface SdkErrorShape {
  name?: unknown
  message?: unknown
  code?: unknown
  $retryable?: unknown
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown; attempts?: unknown }
}

/** One key's failure inside a DeleteObjects response, thrown as an error so it translates like any other. */
export class S3KeyError extends Error {
  readonly key: string
  constructor(code: string, message: string, key: string) {
    super(message)
    this.name = code
    this.key = key
  }
}

/** Thrown when a body ends before its announced length; a retry reads it again. */
export class TruncatedBodyError extends Error {
  constructor(received: number, expected: number) {
    super(`the response body ended after ${received} of ${expected} bytes`)
    this.name = 'TruncatedBody'
  }
}

// S3 error codes: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
const permissionNames = new Set([
  'AccessDenied',
  'AccountProblem',
  'AllAccessDisabled',
  'CredentialsProviderError',
  'ExpiredToken',
  'InvalidAccessKeyId',
  'InvalidToken',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
])
const transientNames = new Set([
  'BandwidthLimitExceeded',
  'ConditionalRequestConflict',
  'InternalError',
  'OperationAborted',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TimeoutError',
  'TooManyRequestsException',
  'TruncatedBody',
])
const transientStatuses = new Set([429, 500, 502, 503, 504])
const networkCodes = new Set([
  'EAI_AGAIN',
  'ECONNABORTED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
])

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {}
}

/** The S3 error code (`'NoSuchKey'`, `'SlowDown'`, ...) or the error's name. */
export function errorName(error: unknown): string | undefined {
  const { name } = shape(error)
  return typeof name === 'string' ? name : undefined
}

/** The HTTP status of the response that failed, or undefined when none came (network failure, timeout). */
export function httpStatus(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode
  return typeof status === 'number' ? status : undefined
}

/** True for "no such object" (GetObject's `NoSuchKey`, HeadObject's bare 404); a missing bucket is not absence. */
export function isMissing(error: unknown): boolean {
  const name = errorName(error)
  return name === 'NoSuchKey' || (name === 'NotFound' && httpStatus(error) === 404)
}

/** True when a conditional write lost: `If-None-Match: *` found the key taken. */
export function isTaken(error: unknown): boolean {
  return httpStatus(error) === 412 || errorName(error) === 'PreconditionFailed'
}

/** True when a ranged read starts at or past the end of an object that exists. */
export function isPastEnd(error: unknown): boolean {
  return httpStatus(error) === 416 || errorName(error) === 'InvalidRange'
}

/** True when a multipart upload is gone: aborted, or already completed. */
export function isNoSuchUpload(error: unknown): boolean {
  return errorName(error) === 'NoSuchUpload'
}

/**
 * True when a failed request may have been carried out anyway: no response came
 * (connection reset, timeout), a 5xx other than 503 Slow Down, or the SDK retried
 * inside (a client of the caller's with its own retries) so an earlier attempt's
 * response may have been lost.
 */
export function mayHaveLanded(error: unknown): boolean {
  // A Varve error is the store's own verdict (e.g. a HEAD found the key), not a lost response.
  if (VarveError.is(error)) return false
  const attempts = shape(error).$metadata?.attempts
  if (typeof attempts === 'number' && attempts > 1) return true
  const status = httpStatus(error)
  return status === undefined || (status >= 500 && status !== 503)
}

function classify(error: unknown): ErrorCode {
  const name = errorName(error)
  const status = httpStatus(error)
  const { code, $retryable } = shape(error)
  if (name !== undefined && permissionNames.has(name)) return 'PermissionDenied'
  if (status === 401 || status === 403) return 'PermissionDenied'
  if (name === 'NoSuchBucket' || name === 'NoSuchKey' || status === 404) return 'NotFound'
  if (status === 412) return 'PreconditionFailed'
  if (name !== undefined && transientNames.has(name)) return 'Transient'
  if (status !== undefined && transientStatuses.has(status)) return 'Transient'
  if (typeof code === 'string' && networkCodes.has(code)) return 'Transient'
  if ($retryable !== undefined && $retryable !== false) return 'Transient'
  return 'StoreFailure'
}

const advice: Record<string, string> = {
  PermissionDenied:
    'Check the credentials (the SDK finds them in the environment, the profile or the instance role) and ' +
    'that their policy allows s3:GetObject, s3:PutObject, s3:ListBucket and s3:DeleteObject on the bucket.',
  NotFound: 'Check the bucket name, the region and the endpoint; the store never creates the bucket.',
  PreconditionFailed: 'The object changed (or appeared) meanwhile; read it again.',
  Transient: 'This usually passes: retry the call, or lower the request rate.',
  StoreFailure: 'The cause holds the full report of S3 (or the network).',
}

/**
 * Translates an SDK (or network) error into a `VarveError`, cause attached:
 * 401/403 and credential failures → `PermissionDenied`; a missing bucket (or
 * object, where absence is not an answer) → `NotFound`; 412 → `PreconditionFailed`;
 * throttling, 429, 5xx, timeouts, connection resets and refusals → `Transient`;
 * anything else → `StoreFailure`. A `VarveError` passes through unchanged. The
 * message names the key and the store, never credentials.
 */
export function translateS3Error(error: unknown, context: S3ErrorContext): VarveError {
  if (VarveError.is(error)) return error
  const code = classify(error)
  const name = errorName(error)
  const status = httpStatus(error)
  const requestId = shape(error).$metadata?.requestId
  const key = error instanceof S3KeyError ? error.key : context.key
  return new VarveError(
    code,
    `Could not ${describeOperation(context.operation, key)} in ${context.description}: ${reason(error)}. ${advice[code]}`,
    {
      cause: error,
      details: {
        key,
        store: context.description,
        ...(name === undefined ? {} : { s3Code: name }),
        ...(status === undefined ? {} : { httpStatus: status }),
        ...(typeof requestId === 'string' ? { requestId } : {}),
      },
    },
  )
}

/** The error `create` throws when the key is taken. */
export function alreadyExists(context: S3ErrorContext, cause?: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'AlreadyExists',
    `Object ${JSON.stringify(key)} already exists in ${description}; create-only writes never replace an object. ` +
      'Read it, or write under another key.',
    { cause, details: { key, store: description } },
  )
}

// Access key ids look like AKIA… or ASIA…; a message quoting one should not carry it on.
const accessKeyId = /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g

function reason(error: unknown): string {
  const name = errorName(error)
  const status = httpStatus(error)
  const { message, code } = shape(error)
  const text =
    typeof message === 'string' && message !== '' && message !== 'UnknownError' ? message : undefined
  const parts = [
    name !== undefined && name !== 'Error' ? name : undefined,
    status === undefined ? undefined : `HTTP ${status}`,
    typeof code === 'string' && code !== name ? code : undefined,
  ].filter((part) => part !== undefined)
  const head = parts.length > 0 ? parts.join(', ') : 'failed'
  const full = text === undefined ? head : `${head}: ${text.replace(/\.$/, '')}`
  return full.replace(accessKeyId, '<access key id>')
}
