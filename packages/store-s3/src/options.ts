import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { keyProblem, VarveError } from '@varve/core'
import { defaultRetry, type RetryOptions, type RetryPolicy, resolveRetry } from './retry.ts'

const MiB = 1024 * 1024
/** S3's smallest part but the last: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MIN_PART_BYTES = 5 * MiB
/** S3's largest single PUT and largest part: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MAX_PART_BYTES = 5 * 1024 * MiB

/** Options of {@link createS3Store}: a bucket, a key prefix in it, and either a ready client or the settings to build one. */
export interface S3StoreOptions {
  /** The bucket holding the objects (it must exist; the store never creates it). */
  bucket: string
  /**
   * A key prefix inside the bucket, e.g. `'teams/ops'`: the object under `a/b` is
   * `teams/ops/a/b`. Default `''` (the whole bucket). Leading and trailing '/' are ignored.
   */
  prefix?: string
  /**
   * A ready `S3Client` (your region, credentials, retries, proxies, ...). When given,
   * `region`, `endpoint`, `forcePathStyle` and `credentials` must not be, and
   * `close()` leaves the client open: it is yours. Its own retries add to the store's.
   */
  client?: S3Client
  /** The bucket's region. Default: the SDK's (`AWS_REGION`, the profile); `'us-east-1'` when `endpoint` is given. */
  region?: string
  /**
   * The URL of an S3-compatible server (MinIO, Ceph, R2, a local test server),
   * e.g. `'http://127.0.0.1:9000'`. With it, checksums are sent and checked only
   * where S3 requires them (`'WHEN_REQUIRED'`), since many such servers reject the
   * SDK's default ones. Default: AWS.
   */
  endpoint?: string
  /** Address the bucket in the path (`host/bucket/key`) rather than the host name. Default `true` with `endpoint`, else `false`. */
  forcePathStyle?: boolean
  /** Credentials or a provider of them. Default: the SDK's chain (environment, profile, SSO, instance role, ...). */
  credentials?: S3ClientConfig['credentials']
  /** How Transient failures are retried: bounded attempts, exponential backoff with full jitter. */
  retry?: RetryOptions
  /** Objects larger than this many bytes are uploaded in parts. Default 8 MiB; at most 5 GiB (S3's largest PUT). */
  multipartThreshold?: number
  /** The size of each part of a multipart upload. Default 8 MiB; between 5 MiB and 5 GiB (S3's part limits). */
  partSize?: number
  /**
   * Whether the server enforces `If-None-Match: *` on writes, as AWS S3 does. Default `true`.
   * Set `false` for an S3-compatible server that ignores it: `create` then asks (HEAD) before
   * writing, so it still refuses a key that exists, but two racers may both write; and
   * `capabilities.atomicCreate` is false, so Varve does not rely on create-only races.
   */
  atomicCreate?: boolean
}

/** The options after validation. */
export interface ResolvedS3StoreOptions {
  readonly client: S3Client
  /** True when the store built the client, and so destroys it on close. */
  readonly ownsClient: boolean
  readonly bucket: string
  /** The prefix every key is stored under: `''` or ending with '/'. */
  readonly base: string
  /** `s3://bucket/prefix`. */
  readonly description: string
  readonly retry: RetryPolicy
  readonly multipartThreshold: number
  readonly partSize: number
  readonly atomicCreate: boolean
}

const clientSettings = ['region', 'endpoint', 'forcePathStyle', 'credentials'] as const
const knownOptions = new Set([
  'bucket',
  'prefix',
  'client',
  ...clientSettings,
  'retry',
  'multipartThreshold',
  'partSize',
  'atomicCreate',
])

/**
 * Checks the options and builds the client (unless one is given).
 * Throws `InvalidArgument` naming the bad option and what to pass instead.
 */
export function resolveS3StoreOptions(options: S3StoreOptions): ResolvedS3StoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid(
      `S3 store options must be an object such as { bucket: 'my-bucket' }, got ${String(options)}.`,
    )
  }
  for (const name of Object.keys(options)) {
    if (!knownOptions.has(name)) {
      throw invalid(
        `Unknown S3 store option ${JSON.stringify(name)}; the options are: ${[...knownOptions].join(', ')}.`,
      )
    }
  }
  const bucket = checkBucket(options.bucket)
  const prefix = checkPrefix(options.prefix)
  const base = prefix === '' ? '' : `${prefix}/`
  const multipartThreshold = checkSize('multipartThreshold', options.multipartThreshold, 8 * MiB, 1)
  const partSize = checkSize('partSize', options.partSize, 8 * MiB, MIN_PART_BYTES)
  const retry = options.retry === undefined ? defaultRetry : resolveRetry(options.retry)
  const description = `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}`
  const { atomicCreate = true } = options
  if (typeof atomicCreate !== 'boolean') {
    throw invalid(
      `The S3 store option atomicCreate must be true or false, got ${JSON.stringify(atomicCreate)}.`,
    )
  }
  const settings = { bucket, base, description, retry, multipartThreshold, partSize, atomicCreate }
  if (options.client !== undefined) {
    // Shape, not class identity: the caller's client may come from another copy of the SDK.
    if (!isClient(options.client)) {
      throw invalid('The S3 store option client must be an S3Client from @aws-sdk/client-s3.')
    }
    const clash = clientSettings.filter((name) => options[name] !== undefined)
    if (clash.length > 0) {
      throw invalid(
        `The S3 store options ${clash.join(', ')} configure a client, but a ready client was given: ` +
          'set them on that client instead, or pass no client.',
      )
    }
    return { ...settings, client: options.client, ownsClient: false }
  }
  return { ...settings, client: new S3Client(clientConfig(options)), ownsClient: true }
}

function clientConfig(options: S3StoreOptions): S3ClientConfig {
  const { region, endpoint, forcePathStyle, credentials } = options
  if (region !== undefined && (typeof region !== 'string' || !/^[a-z0-9-]+$/.test(region))) {
    throw invalid(
      `The S3 store option region must be a region name such as 'eu-west-1', got ${JSON.stringify(region)}.`,
    )
  }
  if (endpoint !== undefined) checkEndpoint(endpoint)
  if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean') {
    throw invalid(
      `The S3 store option forcePathStyle must be true or false, got ${JSON.stringify(forcePathStyle)}.`,
    )
  }
  if (credentials !== undefined && typeof credentials !== 'function' && !isCredentials(credentials)) {
    throw invalid(
      'The S3 store option credentials must be { accessKeyId, secretAccessKey, sessionToken? } or a function ' +
        'returning them (a provider from @aws-sdk/credential-providers).',
    )
  }
  const custom = endpoint !== undefined
  return {
    region: region ?? (custom ? 'us-east-1' : undefined),
    endpoint,
    forcePathStyle: forcePathStyle ?? custom,
    ...(credentials === undefined ? {} : { credentials }),
    // The store retries itself (see retry.ts): one policy, and it sees every lost response.
    maxAttempts: 1,
    ...(custom
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
  }
}

function isClient(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const { send, destroy } = value as Record<string, unknown>
  return typeof send === 'function' && typeof destroy === 'function'
}

function isCredentials(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const { accessKeyId, secretAccessKey } = value as Record<string, unknown>
  return typeof accessKeyId === 'string' && typeof secretAccessKey === 'string'
}

function checkEndpoint(endpoint: unknown): void {
  let url: URL | undefined
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(
      `The S3 store option endpoint must be an http:// or https:// URL such as 'http://127.0.0.1:9000', got ${JSON.stringify(endpoint)}.`,
    )
  }
}

// Bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
function checkBucket(bucket: unknown): string {
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw invalid(
      `The S3 store needs a bucket name of 3 to 63 lowercase letters, digits, '.' and '-' (bucket: 'my-bucket'), got ${JSON.stringify(bucket)}.`,
    )
  }
  return bucket
}

function checkPrefix(prefix: unknown): string {
  if (prefix === undefined) return ''
  if (typeof prefix !== 'string') {
    throw invalid(
      `The S3 store option prefix must be a string such as 'teams/ops', got ${JSON.stringify(prefix)}.`,
    )
  }
  const trimmed = prefix.replace(/^\/+|\/+$/g, '')
  const problem = trimmed === '' ? undefined : keyProblem(trimmed)
  if (problem !== undefined) {
    throw invalid(`The S3 store prefix ${JSON.stringify(prefix)} cannot begin a key: ${problem}.`)
  }
  return trimmed
}

function checkSize(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > MAX_PART_BYTES) {
    throw invalid(
      `The S3 store option ${name} must be a whole number of bytes from ${min} to ${MAX_PART_BYTES}, got ${JSON.stringify(value)}.`,
    )
  }
  return value as number
}

export function invalid(message: string, cause?: unknown): VarveError {
  return new VarveError('InvalidArgument', message, { cause })
}
