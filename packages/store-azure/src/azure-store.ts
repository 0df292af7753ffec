import { randomBytes } from 'node:crypto'
import type { BlobDownloadResponseParsed, BlockBlobClient } from '@azure/storage-blob'
import {
  type ByteRange,
  forEachLimited,
  type Store,
  type StoreCapabilities,
  type StoreOperation,
  VarveError,
  validateKey,
  validatePrefix,
  validateRange,
} from '@varve/core'
import { containerClientOf, describeContainer } from './container-client.ts'
import {
  type AzureErrorContext,
  alreadyExists,
  isBlobNotFound,
  isRangeNotSatisfiable,
  translateAzureError,
} from './errors.ts'
import { listKeys } from './list.ts'
import { type AzureStoreOptions, resolveAzureStoreOptions } from './options.ts'
import { withRetry } from './retry.ts'
import { type UploadSettings, uploadBytes } from './upload.ts'

/** The metadata entry a create writes with a value of its own, to recognise its own blob after a lost response. */
export const CREATE_TOKEN_METADATA = 'varvecreate'

// Blob name limits: https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#blob-names
const MAX_BLOB_NAME = 1024
const MAX_BLOB_SEGMENTS = 254

/**
 * A store in an Azure Blob Storage container: the object under key `k` is the
 * block blob `<prefix>/k`.
 *
 * - `put` writes with one Put Blob request, or above `singleUploadBytes` stages
 *   blocks and commits them with Put Block List: readers see the old blob or
 *   the new, never a mix.
 * - `create` sends `If-None-Match: *`, which the service checks atomically
 *   (`capabilities.atomicCreate`): of N racers one wins, the others get
 *   `AlreadyExists` (409) or `PreconditionFailed` (412). Each create tags its
 *   blob with a random `varvecreate` metadata value, so a retry after a lost
 *   response that finds the blob tells its own write (success) from another's.
 * - `getRange` reads with a ranged GET (`capabilities.rangeRead`).
 * - `list` pages through List Blobs and yields keys in UTF-8 byte order.
 * - `delete` deletes `deleteConcurrency` blobs at once (their snapshots too).
 * - Every request is retried on transient failures with exponential backoff
 *   and full jitter, and aborted after `requestTimeoutMs`.
 *
 * The container must exist: the store never creates it. Throws `InvalidArgument`
 * for bad options (see {@link AzureStoreOptions}). The operations throw
 * `InvalidKey` for keys that break the key rules (or, with the prefix, Azure's
 * blob name limits), `AlreadyExists`/`PreconditionFailed` from `create`,
 * `NotFound` for a missing container, `PermissionDenied`, `Transient` once
 * retries run out, and `StoreFailure` otherwise, with the SDK's error as cause.
 */
export function createAzureStore(options: AzureStoreOptions): Store {
  const resolved = resolveAzureStoreOptions(options)
  const container = containerClientOf(options)
  const description = describeContainer(container, resolved.prefix)
  const { blobPrefix, retry, requestTimeoutMs } = resolved
  const capabilities: StoreCapabilities = Object.freeze({ atomicCreate: true, rangeRead: true })
  const context = (operation: StoreOperation, key: string): AzureErrorContext => ({
    operation,
    key,
    description,
  })

  /** One SDK request: aborted after the timeout, errors translated, transient failures retried. */
  function call<T>(where: AzureErrorContext, request: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(retry, async () => {
      try {
        return await request(AbortSignal.timeout(requestTimeoutMs))
      } catch (error) {
        throw translateAzureError(error, where)
      }
    })
  }

  function uploads(where: AzureErrorContext): UploadSettings {
    return {
      ...resolved,
      call: (request) => call(where, request),
      blocksLost: (rounds) =>
        new VarveError(
          'Transient',
          `Could not ${where.operation} ${JSON.stringify(where.key)} in ${description}: other writers of the same key ` +
            `committed first ${rounds} times, discarding the blocks staged for this write. Retry the call.`,
          { details: { key: where.key, store: description } },
        ),
    }
  }

  function blobOf(key: string): BlockBlobClient {
    const name = blobPrefix + validateKey(key)
    const problem =
      name.length > MAX_BLOB_NAME
        ? `with the prefix it makes a blob name of ${name.length} characters, over Azure's ${MAX_BLOB_NAME}`
        : name.split('/').length > MAX_BLOB_SEGMENTS
          ? `with the prefix it makes a blob name of more than Azure's ${MAX_BLOB_SEGMENTS} '/'-separated segments`
          : undefined
    if (problem !== undefined) {
      throw new VarveError(
        'InvalidKey',
        `Invalid store key ${JSON.stringify(key)} for ${description}: ${problem}.`,
        {
          details: { key },
        },
      )
    }
    return container.getBlockBlobClient(name)
  }

  function checkBytes(bytes: Uint8Array, where: AzureErrorContext): void {
    if (bytes instanceof Uint8Array) return
    throw new VarveError(
      'InvalidArgument',
      `Could not ${where.operation} ${JSON.stringify(where.key)} in ${description}: the bytes must be a ` +
        `Uint8Array (a Buffer is one), got ${bytes === null ? 'null' : typeof bytes}.`,
      { details: { key: where.key } },
    )
  }

  /** The blob's metadata, or undefined when it is absent. */
  function metadataOf(blob: BlockBlobClient, where: AzureErrorContext) {
    return call(where, async (abortSignal) => {
      try {
        return (await blob.getProperties({ abortSignal })).metadata ?? {}
      } catch (error) {
        if (isBlobNotFound(error)) return undefined
        throw error
      }
    })
  }

  return {
    description,
    capabilities,

    async get(key) {
      const blob = blobOf(key)
      return call(context('get', key), async (abortSignal) => {
        let response: BlobDownloadResponseParsed
        try {
          response = await blob.download(0, undefined, { abortSignal })
        } catch (error) {
          if (isBlobNotFound(error)) return undefined
          throw error
        }
        return readBody(response, context('get', key))
      })
    },

    async getRange(key, range: ByteRange) {
      validateRange(range)
      const blob = blobOf(key)
      const where = context('getRange', key)
      // A count of 0 means "to the end" to the SDK: ask only whether the blob exists.
      if (range.length === 0)
        return (await metadataOf(blob, where)) === undefined ? undefined : new Uint8Array(0)
      return call(where, async (abortSignal) => {
        let response: BlobDownloadResponseParsed
        try {
          response = await blob.download(range.offset, range.length, { abortSignal })
        } catch (error) {
          if (isBlobNotFound(error)) return undefined
          if (isRangeNotSatisfiable(error)) return new Uint8Array(0)
          throw error
        }
        return readBody(response, where)
      })
    },

    async put(key, bytes) {
      const blob = blobOf(key)
      const where = context('put', key)
      checkBytes(bytes, where)
      await uploadBytes(blob, bytes, {}, uploads(where))
    },

    async create(key, bytes) {
      const blob = blobOf(key)
      const where = context('create', key)
      checkBytes(bytes, where)
      // Staging blocks for a key that is taken would be wasted: ask first (the commit still decides).
      if (bytes.length > resolved.singleUploadBytes && (await metadataOf(blob, where)) !== undefined) {
        throw alreadyExists(where)
      }
      const token = randomBytes(16).toString('hex')
      try {
        await uploadBytes(
          blob,
          bytes,
          { conditions: { ifNoneMatch: '*' }, metadata: { [CREATE_TOKEN_METADATA]: token } },
          uploads(where),
        )
      } catch (error) {
        // The service refuses a retried create whose first try landed unseen (ours, or the
        // SDK's own retry on a client the caller built): our token on the blob says so.
        if (VarveError.is(error, 'AlreadyExists') || VarveError.is(error, 'PreconditionFailed')) {
          const metadata = await metadataOf(blob, where)
          if (metadata?.[CREATE_TOKEN_METADATA] === token) return
        }
        throw error
      }
    },

    async *list(prefix) {
      validatePrefix(prefix)
      const where = context('list', prefix)
      const fetchPage = (marker: string | undefined) =>
        call(where, async (abortSignal) => {
          const pages = container
            .listBlobsFlat({ prefix: blobPrefix + prefix, abortSignal })
            .byPage({ continuationToken: marker, maxPageSize: resolved.listPageSize })
          const { value, done } = await pages.next()
          if (done === true || value === undefined) return { names: [], next: undefined }
          return { names: value.segment.blobItems.map((item) => item.name), next: value.continuationToken }
        })
      const fail = (message: string) =>
        new VarveError(
          'StoreFailure',
          `Could not list the keys starting with ${JSON.stringify(prefix)} in ${description}: ${message}.`,
          {
            details: { key: prefix, store: description },
          },
        )
      yield* listKeys(fetchPage, blobPrefix, fail)
    },

    async delete(keys) {
      const blobs = new Map<string, BlockBlobClient>()
      for (const key of keys) blobs.set(key, blobOf(key))
      await forEachLimited([...blobs], resolved.deleteConcurrency, async ([key, blob]) => {
        await call(context('delete', key), (abortSignal) =>
          blob.deleteIfExists({ abortSignal, deleteSnapshots: 'include' }),
        )
      })
    },
  }
}

/** The whole body of a download, checked against its announced length. */
async function readBody(response: BlobDownloadResponseParsed, where: AzureErrorContext): Promise<Uint8Array> {
  const length = response.contentLength ?? 0
  const bytes = new Uint8Array(length)
  const body = response.readableStreamBody
  let at = 0
  let overflow = false
  if (body !== undefined) {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      if (at + chunk.length > length) {
        overflow = true
        break
      }
      bytes.set(chunk, at)
      at += chunk.length
    }
  }
  if (overflow || at !== length) {
    throw new VarveError(
      'Transient',
      `Could not ${where.operation === 'get' ? 'read' : 'read a range of'} ${JSON.stringify(where.key)} in ${where.description}: ` +
        `the service announced ${length} bytes and sent ${overflow ? 'more' : at}. Retry the call.`,
      { details: { key: where.key, store: where.description } },
    )
  }
  return bytes
}
