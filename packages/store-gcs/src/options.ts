import { type Bucket, Storage } from '@google-cloud/storage'
import { VarveError, validatePrefix } from '@varve/core'
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts'

/**
 * Options of {@link createGcsStore}: the bucket and a key prefix inside it, and
 * EITHER what the store needs to build its own SDK client (`projectId`,
 * `apiEndpoint`; credentials come from the SDK's Application Default
 * Credentials chain) OR a ready client (`storage`, or `bucket` as a `Bucket`).
 */
export interface GcsStoreOptions {
  /** The bucket's name, or a ready `Bucket` of the SDK (then `storage`, `projectId` and `apiEndpoint` are not allowed). The store never creates it. */
  bucket: string | Bucket
  /** Where the store's keys live inside the bucket: `'repos/prices'` keeps key `k` as object `repos/prices/k`. Default `''`, the bucket's root. */
  prefix?: string
  /** A ready SDK client, e.g. with your own credentials or retry settings (then `projectId` and `apiEndpoint` are not allowed). */
  storage?: Storage
  /** The Google Cloud project of the client the store builds. Default: the SDK's (from the credentials or `GOOGLE_CLOUD_PROJECT`). */
  projectId?: string
  /**
   * The JSON API's base URL for the client the store builds, e.g.
   * `'http://127.0.0.1:9199'` for the Firebase Storage emulator. Default: Google
   * Cloud Storage (or `STORAGE_EMULATOR_HOST` when set). The SDK sends no
   * credentials to any endpoint but its default: for another Google endpoint,
   * pass a `storage` built with `useAuthWithCustomEndpoint: true`.
   */
  apiEndpoint?: string
  /** Objects larger than this many bytes upload through a resumable session; smaller ones in one request. Default 8 MiB. */
  resumableThreshold?: number
  /** How many objects `delete` removes at once. Default 32. */
  deleteConcurrency?: number
  /** How `Transient` failures are retried (see {@link RetryPolicy}). Default 5 attempts, delays from 0.25 s doubling up to 8 s. */
  retry?: Partial<RetryPolicy>
}

/** The options after validation. */
export interface ResolvedGcsStoreOptions {
  readonly bucket: Bucket
  /** `''` or a prefix ending in '/'. */
  readonly prefix: string
  /** `gs://bucket/prefix`. */
  readonly description: string
  readonly resumableThreshold: number
  readonly deleteConcurrency: number
  readonly retry: RetryPolicy
}

const knownOptions = new Set([
  'bucket',
  'prefix',
  'storage',
  'projectId',
  'apiEndpoint',
  'resumableThreshold',
  'deleteConcurrency',
  'retry',
])
const DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024
const DEFAULT_DELETE_CONCURRENCY = 32
// https://cloud.google.com/storage/docs/buckets#naming (names with dots may be up to 222 characters).
const bucketName = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/

/**
 * Checks the options and builds the SDK client when none is given.
 * Throws `InvalidArgument` naming the bad option and what to pass instead.
 */
export function resolveGcsStoreOptions(options: GcsStoreOptions): ResolvedGcsStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid(
      `GCS store options must be an object such as { bucket: 'my-bucket' }, got ${String(options)}.`,
    )
  }
  for (const name of Object.keys(options)) {
    if (!knownOptions.has(name)) {
      throw invalid(
        `Unknown GCS store option ${JSON.stringify(name)}; the options are: ${[...knownOptions].join(', ')}.`,
      )
    }
  }
  const bucket = resolveBucket(options)
  const prefix = resolvePrefix(options.prefix)
  return {
    bucket,
    prefix,
    description: `gs://${bucket.name}${prefix === '' ? '' : `/${prefix.slice(0, -1)}`}`,
    resumableThreshold: wholeNumber(
      'resumableThreshold',
      options.resumableThreshold,
      DEFAULT_RESUMABLE_THRESHOLD,
      0,
    ),
    deleteConcurrency: wholeNumber(
      'deleteConcurrency',
      options.deleteConcurrency,
      DEFAULT_DELETE_CONCURRENCY,
      1,
    ),
    retry: resolveRetry(options.retry),
  }
}

function resolveBucket(options: GcsStoreOptions): Bucket {
  const { bucket, storage, projectId, apiEndpoint } = options
  const clientOptions = [
    projectId === undefined ? [] : ['projectId'],
    apiEndpoint === undefined ? [] : ['apiEndpoint'],
  ].flat()
  if (isBucket(bucket)) {
    const extra = [...(storage === undefined ? [] : ['storage']), ...clientOptions]
    if (extra.length > 0) {
      throw invalid(
        `The GCS store got a ready Bucket and ${extra.join(', ')}: the Bucket's client is used as it is. ` +
          'Pass either a Bucket, or a bucket name with the client options.',
      )
    }
    return bucket
  }
  if (typeof bucket !== 'string' || !bucketName.test(bucket)) {
    throw invalid(
      `The GCS store needs a bucket: a name of 3 to 222 lowercase letters, digits, '-', '_' or '.' ` +
        `(such as { bucket: 'my-bucket' }) or a Bucket of @google-cloud/storage, got ${JSON.stringify(bucket) ?? String(bucket)}.`,
    )
  }
  if (storage !== undefined) {
    if (!isStorage(storage))
      throw invalid('The GCS store option storage must be a Storage of @google-cloud/storage.')
    if (clientOptions.length > 0) {
      throw invalid(
        `The GCS store got a ready Storage and ${clientOptions.join(', ')}: configure the Storage instead, or ` +
          'leave it out and let the store build one.',
      )
    }
    return storage.bucket(bucket)
  }
  if (projectId !== undefined && (typeof projectId !== 'string' || projectId === '')) {
    throw invalid(
      `The GCS store option projectId must be a non-empty string, got ${JSON.stringify(projectId)}.`,
    )
  }
  if (apiEndpoint !== undefined) checkEndpoint(apiEndpoint)
  // The store retries on its own (see retry.ts); SDK retries on top would multiply the attempts.
  const client = new Storage({
    ...(projectId === undefined ? {} : { projectId }),
    ...(apiEndpoint === undefined ? {} : { apiEndpoint: apiEndpoint.replace(/\/+$/, '') }),
    retryOptions: { autoRetry: false },
  })
  return client.bucket(bucket)
}

function checkEndpoint(apiEndpoint: unknown): void {
  let url: URL | undefined
  try {
    url = typeof apiEndpoint === 'string' ? new URL(apiEndpoint) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(
      `The GCS store option apiEndpoint must be an http(s) URL such as 'http://127.0.0.1:9199', got ${JSON.stringify(apiEndpoint)}.`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      'The GCS store option apiEndpoint must not hold credentials; they come from the SDK’s chain.',
    )
  }
}

function resolvePrefix(prefix: unknown): string {
  if (prefix === undefined || prefix === '') return ''
  if (typeof prefix !== 'string') {
    throw invalid(
      `The GCS store option prefix must be a string such as 'repos/prices', got ${String(prefix)}.`,
    )
  }
  const withSlash = prefix.endsWith('/') ? prefix : `${prefix}/`
  try {
    return validatePrefix(withSlash)
  } catch (cause) {
    throw invalid(
      `The GCS store prefix ${JSON.stringify(prefix)} is not a valid key prefix: ${(cause as Error).message}`,
      cause,
    )
  }
}

function resolveRetry(retry: unknown): RetryPolicy {
  if (retry === undefined) return DEFAULT_RETRY
  if (typeof retry !== 'object' || retry === null) {
    throw invalid(
      `The GCS store option retry must be an object such as { attempts: 3 }, got ${String(retry)}.`,
    )
  }
  const { attempts, baseDelayMs, maxDelayMs } = retry as Partial<RetryPolicy>
  return {
    attempts: wholeNumber('retry.attempts', attempts, DEFAULT_RETRY.attempts, 1),
    baseDelayMs: wholeNumber('retry.baseDelayMs', baseDelayMs, DEFAULT_RETRY.baseDelayMs, 0),
    maxDelayMs: wholeNumber('retry.maxDelayMs', maxDelayMs, DEFAULT_RETRY.maxDelayMs, 0),
  }
}

function wholeNumber(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(
      `The GCS store option ${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}.`,
    )
  }
  return value
}

// Duck-typed rather than instanceof, so a client from another copy of the SDK works too.
function isBucket(value: unknown): value is Bucket {
  const candidate = value as { name?: unknown; file?: unknown; getFiles?: unknown } | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.file === 'function' &&
    typeof candidate.getFiles === 'function'
  )
}

function isStorage(value: unknown): value is Storage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { bucket?: unknown }).bucket === 'function'
  )
}

function invalid(message: string, cause?: unknown): VarveError {
  return new VarveError('InvalidArgument', message, { cause })
}
