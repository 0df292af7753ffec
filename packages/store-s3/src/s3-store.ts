import {
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import {
  type Store,
  type StoreCapabilities,
  VarveError,
  validateKey,
  validatePrefix,
  validateRange,
} from '@varve/core'
import {
  alreadyExists,
  isMissing,
  isPastEnd,
  isTaken,
  mayHaveLanded,
  type S3ErrorContext,
  S3KeyError,
  type S3Operation,
  TruncatedBodyError,
  translateS3Error,
} from './errors.ts'
import { listKeys } from './list.ts'
import { uploadInParts } from './multipart.ts'
import { resolveS3StoreOptions, type S3StoreOptions } from './options.ts'
import { retryUncertainWrite, withRetry } from './retry.ts'

// DeleteObjects takes at most 1,000 keys: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
const DELETE_BATCH = 1000
/** DeleteObjects requests in flight at once. */
const DELETE_CONCURRENCY = 4

/**
 * A store in an S3 bucket (or an S3-compatible server's): the object under
 * `a/b` is `<prefix>/a/b` in the bucket.
 *
 * - `get` and `getRange` are GETs (ranged for `getRange`); a missing object is `undefined`.
 * - `put` is one PUT, or a multipart upload above `multipartThreshold` (8 MiB):
 *   readers see the old object or the new, never a mix.
 * - `create` is the same with `If-None-Match: *`: S3 refuses it (412) when the
 *   key exists, atomically, so of N racers exactly one wins and the rest get
 *   `AlreadyExists` (`capabilities.atomicCreate`). With `atomicCreate: false`
 *   (servers that ignore the header) it asks first (HEAD), which is not atomic.
 * - `list` pages through ListObjectsV2; `delete` sends DeleteObjects in batches of 1,000.
 * - Every request is retried on `Transient` failures (see {@link S3StoreOptions.retry}).
 *   A create retried after a lost response that then finds the key taken reads the
 *   object back: its own bytes mean it landed (success), others' mean `AlreadyExists`.
 *
 * Throws `InvalidArgument` for bad options. The operations throw `InvalidKey`
 * for keys that break the key rules, `AlreadyExists` from `create`,
 * `PermissionDenied`, `NotFound` (no such bucket), `Transient` (after the
 * retries) or `StoreFailure`, with the SDK's error as the cause.
 */
export function createS3Store(options: S3StoreOptions): Store {
  const resolved = resolveS3StoreOptions(options)
  const { client, bucket, base, description, retry, multipartThreshold, partSize, atomicCreate } = resolved
  const capabilities: StoreCapabilities = Object.freeze({ atomicCreate, rangeRead: true })
  const context = (operation: S3Operation, key: string): S3ErrorContext => ({ operation, key, description })
  const send = <T>(where: S3ErrorContext, request: () => Promise<T>): Promise<T> =>
    withRetry(retry, request, (error) => translateS3Error(error, where))

  /** The object's bytes, or undefined when absent; retried. */
  function read(where: S3ErrorContext): Promise<Uint8Array | undefined> {
    return send(where, async () => {
      try {
        return await bodyBytes(
          await client.send(new GetObjectCommand({ Bucket: bucket, Key: base + where.key })),
        )
      } catch (error) {
        if (isMissing(error)) return undefined
        throw error
      }
    })
  }

  /** True when the object under the key holds exactly `bytes`. */
  async function holds(where: S3ErrorContext, bytes: Uint8Array): Promise<boolean> {
    const stored = await read(where)
    return stored !== undefined && Buffer.from(stored).equals(bytes)
  }

  /** Throws AlreadyExists when the key holds an object: create-only on a server that ignores If-None-Match. */
  async function refuseExisting(where: S3ErrorContext): Promise<void> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: base + where.key }))
    } catch (error) {
      if (isMissing(error)) return
      throw error
    }
    throw alreadyExists(where)
  }

  function checkBytes(bytes: Uint8Array, where: S3ErrorContext): void {
    if (bytes instanceof Uint8Array) return
    throw new VarveError(
      'InvalidArgument',
      `Could not ${where.operation} ${JSON.stringify(where.key)} in ${description}: the bytes must be a ` +
        `Uint8Array (a Buffer is one), got ${bytes === null ? 'null' : typeof bytes}.`,
      { details: { key: where.key } },
    )
  }

  async function write(key: string, bytes: Uint8Array, createOnly: boolean): Promise<void> {
    const where = context(createOnly ? 'create' : 'put', validateKey(key))
    checkBytes(bytes, where)
    const landed = () => holds(where, bytes)
    const askFirst = createOnly && !atomicCreate
    if (bytes.length > multipartThreshold) {
      if (askFirst) await send(where, () => refuseExisting(where))
      const upload = {
        client,
        bucket,
        objectKey: base + key,
        bytes,
        partSize,
        createOnly,
        retry,
        context: where,
      }
      return uploadInParts({ ...upload, landed })
    }
    const attempt = async () => {
      if (askFirst) await refuseExisting(where)
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: base + key,
          Body: bytes,
          ContentLength: bytes.length,
          ...(createOnly ? { IfNoneMatch: '*' } : {}),
        }),
      )
    }
    if (!createOnly) return send(where, attempt)
    await retryUncertainWrite(retry, {
      attempt,
      translate: (error) => translateS3Error(error, where),
      isRefusal: (error) => isTaken(error) || VarveError.is(error, 'AlreadyExists'),
      refused: (error) => (VarveError.is(error, 'AlreadyExists') ? error : alreadyExists(where, error)),
      mayHaveLanded,
      landed,
    })
  }

  async function deleteBatch(keys: readonly string[]): Promise<void> {
    let remaining = keys
    await send(context('delete', keys[0] as string), async () => {
      const response = await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: remaining.map((key) => ({ Key: base + key })), Quiet: true },
        }),
      )
      // A DeleteObjects that succeeds as a whole may still fail for some keys; retries resend only those.
      const failed = (response.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey')
      const first = failed[0]
      if (first === undefined) return
      remaining = failed.map((error) => (error.Key ?? '').slice(base.length))
      throw new S3KeyError(first.Code ?? 'InternalError', first.Message ?? '', remaining[0] as string)
    })
  }

  return {
    description,
    capabilities,

    get(key) {
      return read(context('get', validateKey(key)))
    },

    async getRange(key, range) {
      validateRange(range)
      const where = context('getRange', validateKey(key))
      const { offset, length } = range
      // S3 ranges are inclusive; a read of 0 bytes asks for 1 to learn whether the object exists.
      const last = Math.min(offset + Math.max(length, 1) - 1, Number.MAX_SAFE_INTEGER)
      return send(where, async () => {
        try {
          const response = await client.send(
            new GetObjectCommand({ Bucket: bucket, Key: base + key, Range: `bytes=${offset}-${last}` }),
          )
          const bytes = await bodyBytes(response)
          // A server that ignores Range sends the whole object (200, no Content-Range).
          const start = response.ContentRange === undefined ? offset : 0
          return bytes.subarray(start, start + length)
        } catch (error) {
          if (isMissing(error)) return undefined
          if (isPastEnd(error)) return new Uint8Array(0)
          throw error
        }
      })
    },

    put(key, bytes) {
      return write(key, bytes, false)
    },

    create(key, bytes) {
      return write(key, bytes, true)
    },

    async *list(prefix) {
      validatePrefix(prefix)
      const where = context('list', prefix)
      yield* listKeys({ client, bucket, base, description, send: (request) => send(where, request) }, prefix)
    },

    async delete(keys) {
      for (const key of keys) validateKey(key)
      const unique = [...new Set(keys)]
      const batches: string[][] = []
      for (let i = 0; i < unique.length; i += DELETE_BATCH) batches.push(unique.slice(i, i + DELETE_BATCH))
      let next = 0
      const worker = async () => {
        while (next < batches.length) await deleteBatch(batches[next++] as string[])
      }
      const outcomes = await Promise.allSettled(
        Array.from({ length: Math.min(DELETE_CONCURRENCY, batches.length) }, worker),
      )
      const rejected = outcomes.find((outcome) => outcome.status === 'rejected')
      if (rejected !== undefined) throw rejected.reason
    },

    async close() {
      if (resolved.ownsClient) client.destroy()
    },
  }
}

/** The whole body; a body shorter than its Content-Length throws (a Transient failure, so the read is retried). */
async function bodyBytes(response: GetObjectCommandOutput): Promise<Uint8Array> {
  const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0)
  const expected = response.ContentLength
  if (expected !== undefined && bytes.length !== expected)
    throw new TruncatedBodyError(bytes.length, expected)
  return bytes
}
