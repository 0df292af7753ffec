import type { File } from '@google-cloud/storage'
import {
  type ByteRange,
  forEachLimited,
  keyProblem,
  MAX_KEY_BYTES,
  type Store,
  type StoreCapabilities,
  VarveError,
  validateKey,
  validatePrefix,
  validateRange,
} from '@varve/core'
import { crc32cFileOptions } from './crc32c.ts'
import {
  alreadyExists,
  type GcsErrorContext,
  type GcsOperation,
  httpStatus,
  isNotFound,
  translateGcsError,
} from './errors.ts'
import { inUtf8Order, pagedNames } from './list.ts'
import { downloadObject, downloadRange, objectExists, uploadObject } from './object-io.ts'
import { type GcsStoreOptions, resolveGcsStoreOptions } from './options.ts'
import { withRetry } from './retry.ts'

// The JSON API's largest page: https://cloud.google.com/storage/docs/json_api/v1/objects/list
const PAGE_SIZE = 1000

/**
 * A store in a Google Cloud Storage bucket: the object under key `k` is the
 * object `<prefix>k` of the bucket.
 *
 * - `get` and `getRange` return undefined for an absent object; `getRange` is
 *   one ranged GET (`capabilities.rangeRead`).
 * - `put` uploads in one request up to `resumableThreshold` bytes, through a
 *   resumable session above it; readers see the old object or the new, never a mix.
 * - `create` first checks that the key is absent (so a taken key costs no
 *   upload), then uploads with `ifGenerationMatch: 0`, which Google Cloud
 *   Storage refuses with 412 when the object exists: of any number of concurrent
 *   creates, on any machines, exactly one wins (`capabilities.atomicCreate`);
 *   the others get `AlreadyExists`. A retry after a lost response that finds the
 *   key taken compares the stored bytes with its own and succeeds when they match.
 * - `list` pages through the bucket listing (no delimiter) and yields keys in
 *   ascending UTF-8 byte order; object names under the prefix that are not valid
 *   keys (such as `folder/` placeholders) are skipped.
 * - `delete` removes up to `deleteConcurrency` objects at once; absent ones are fine.
 * - Every call retries `Transient` failures with exponential backoff and full jitter.
 * - The store never creates the bucket, and never uses server-side copies.
 *
 * Throws `InvalidArgument` for bad options (see {@link GcsStoreOptions}). The
 * operations throw `InvalidKey` for keys that break the key rules (or whose
 * object name, prefix included, passes 1,024 bytes), `AlreadyExists` from
 * `create`, and `PermissionDenied`, `NotFound` (missing bucket), `Transient` or
 * `StoreFailure` with the SDK's error as the cause (see `translateGcsError`).
 */
export function createGcsStore(options: GcsStoreOptions): Store {
  const { bucket, prefix, description, resumableThreshold, deleteConcurrency, retry } =
    resolveGcsStoreOptions(options)
  const capabilities: StoreCapabilities = Object.freeze({ atomicCreate: true, rangeRead: true })
  const context = (operation: GcsOperation, key: string): GcsErrorContext => ({ operation, key, description })
  const fileOptions = crc32cFileOptions(bucket)

  function fileOf(key: string): File {
    validateKey(key)
    const name = prefix + key
    if (Buffer.byteLength(name) > MAX_KEY_BYTES) {
      throw new VarveError(
        'InvalidKey',
        `Invalid store key ${JSON.stringify(key)}: with the prefix ${JSON.stringify(prefix)} of ${description} ` +
          `its object name is ${Buffer.byteLength(name)} UTF-8 bytes, over the ${MAX_KEY_BYTES} Cloud Storage allows. ` +
          'Use a shorter key or prefix.',
        { details: { key, store: description } },
      )
    }
    return bucket.file(name, fileOptions)
  }

  /** Runs a call with the retry policy, its failures translated. */
  function retried<T>(where: GcsErrorContext, call: () => Promise<T>): Promise<T> {
    return withRetry(retry, async () => {
      try {
        return await call()
      } catch (error) {
        throw translateGcsError(error, where)
      }
    })
  }

  /** True when the object holds exactly `bytes`. */
  async function holds(file: File, bytes: Uint8Array, where: GcsErrorContext): Promise<boolean> {
    const stored = await retried(where, async () => {
      try {
        return await downloadObject(file)
      } catch (error) {
        if (isNotFound(error)) return undefined
        throw error
      }
    })
    return (
      stored !== undefined && Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).equals(bytes)
    )
  }

  return {
    description,
    capabilities,

    async get(key) {
      const file = fileOf(key)
      return retried(context('get', key), async () => {
        try {
          return await downloadObject(file)
        } catch (error) {
          if (isNotFound(error)) return undefined
          throw error
        }
      })
    },

    async getRange(key, range: ByteRange) {
      validateRange(range)
      const file = fileOf(key)
      return retried(context('getRange', key), async () => {
        try {
          if (range.length === 0) return (await objectExists(file)) ? new Uint8Array(0) : undefined
          return await downloadRange(file, range.offset, range.length)
        } catch (error) {
          if (isNotFound(error)) return undefined
          // 416: the range starts at or past the end of an object that exists.
          if (httpStatus(error) === 416) return new Uint8Array(0)
          throw error
        }
      })
    },

    async put(key, bytes) {
      const file = fileOf(key)
      checkBytes(bytes, key)
      await retried(context('put', key), () => uploadObject(file, bytes, resumableThreshold))
    },

    async create(key, bytes) {
      const file = fileOf(key)
      checkBytes(bytes, key)
      const where = context('create', key)
      let mayHaveLanded = false
      await withRetry(retry, async () => {
        let uploading = false
        try {
          // Refusing a taken key before uploading saves sending its bytes, and is the only refusal
          // on servers that ignore preconditions (the Firebase Storage emulator).
          if (await objectExists(file)) throw alreadyExists(where)
          uploading = true
          await uploadObject(file, bytes, resumableThreshold, 0)
        } catch (error) {
          const failure =
            httpStatus(error) === 412 ? alreadyExists(where, error) : translateGcsError(error, where)
          // An earlier attempt whose response was lost may have written the object: finding our own bytes is success.
          if (failure.code === 'AlreadyExists' && mayHaveLanded && (await holds(file, bytes, where))) return
          if (uploading && failure.code === 'Transient') mayHaveLanded = true
          throw failure
        }
      })
    },

    async *list(keyPrefix) {
      validatePrefix(keyPrefix)
      const where = context('list', keyPrefix)
      const names = pagedNames((pageToken) =>
        retried(where, async () => {
          const [files, next] = await bucket.getFiles({
            prefix: prefix + keyPrefix,
            autoPaginate: false,
            maxResults: PAGE_SIZE,
            fields: 'items(name),nextPageToken',
            ...(pageToken === undefined ? {} : { pageToken }),
          })
          return {
            names: files.map((file) => file.name),
            nextPageToken: (next as { pageToken?: string } | null)?.pageToken,
          }
        }),
      )
      yield* inUtf8Order(keysIn(names, prefix))
    },

    async delete(keys) {
      const files = new Map<string, File>()
      for (const key of keys) files.set(key, fileOf(key))
      await forEachLimited([...files], deleteConcurrency, ([key, file]) =>
        retried(context('delete', key), async () => {
          await file.delete({ ignoreNotFound: true })
        }),
      )
    },
  }
}

/** The store keys among object names: the prefix removed, names that are not valid keys skipped. */
async function* keysIn(
  names: AsyncIterable<string>,
  prefix: string,
): AsyncGenerator<string, void, undefined> {
  for await (const name of names) {
    const key = name.slice(prefix.length)
    if (name.startsWith(prefix) && keyProblem(key) === undefined) yield key
  }
}

function checkBytes(bytes: unknown, key: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new VarveError(
      'InvalidArgument',
      `The bytes to write under ${JSON.stringify(key)} must be a Uint8Array (or a Buffer), got ${typeof bytes}.`,
      { details: { key } },
    )
  }
}
