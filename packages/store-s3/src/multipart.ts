import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { VarveError } from '@varve/core'
import {
  alreadyExists,
  isNoSuchUpload,
  isTaken,
  mayHaveLanded,
  type S3ErrorContext,
  translateS3Error,
} from './errors.ts'
import { type RetryPolicy, retryUncertainWrite, withRetry } from './retry.ts'

/** S3 takes at most 10,000 parts: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
const MAX_PARTS = 10_000
/** Parts in flight at once, per upload. */
const PART_CONCURRENCY = 4

export interface MultipartUpload {
  readonly client: S3Client
  readonly bucket: string
  /** The object's name in the bucket (the store's prefix included). */
  readonly objectKey: string
  readonly bytes: Uint8Array
  readonly partSize: number
  /** Complete only if the key is absent (`If-None-Match: *`). */
  readonly createOnly: boolean
  readonly retry: RetryPolicy
  readonly context: S3ErrorContext
  /** True when the stored object holds exactly `bytes` (for a completion whose response was lost). */
  readonly landed: () => Promise<boolean>
}

/**
 * Uploads `bytes` in parts: starts a multipart upload, sends the parts (each
 * with a CRC32 checksum S3 verifies, each retried on its own), then completes
 * it, conditionally for a create-only write. Nothing is visible before the
 * completion. On failure the upload is aborted so its parts stop costing.
 */
export async function uploadInParts(upload: MultipartUpload): Promise<void> {
  const { client, bucket, objectKey: Key, retry, context } = upload
  const translate = (error: unknown) => translateS3Error(error, context)
  const { UploadId } = await withRetry(
    retry,
    () => client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key, ChecksumAlgorithm: 'CRC32' })),
    translate,
  )
  if (UploadId === undefined) {
    throw new VarveError(
      'StoreFailure',
      `${failure(context)}: the server started a multipart upload without an id.`,
      {
        details: { key: context.key, store: context.description },
      },
    )
  }
  try {
    const parts = await uploadParts(upload, UploadId, translate)
    await retryUncertainWrite(retry, {
      attempt: async () => {
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts: parts },
            ...(upload.createOnly ? { IfNoneMatch: '*' } : {}),
          }),
        )
      },
      translate,
      // After a completion that landed, a retry finds the upload gone (or, for a create, the key taken).
      isRefusal: (error) => isNoSuchUpload(error) || (upload.createOnly && isTaken(error)),
      refused: (error) =>
        upload.createOnly && isTaken(error) ? alreadyExists(context, error) : translate(error),
      mayHaveLanded,
      landed: upload.landed,
    })
  } catch (error) {
    await abort(upload, UploadId, error, translate)
    throw error
  }
}

async function uploadParts(
  upload: MultipartUpload,
  UploadId: string,
  translate: (error: unknown) => VarveError,
): Promise<CompletedPart[]> {
  const { client, bucket, objectKey: Key, bytes, retry } = upload
  const partSize = Math.max(upload.partSize, Math.ceil(bytes.length / MAX_PARTS))
  const count = Math.max(1, Math.ceil(bytes.length / partSize))
  const parts: CompletedPart[] = new Array(count)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++
      const body = bytes.subarray(index * partSize, Math.min(bytes.length, (index + 1) * partSize))
      const PartNumber = index + 1
      const { ETag, ChecksumCRC32 } = await withRetry(
        retry,
        () =>
          client.send(
            new UploadPartCommand({
              Bucket: bucket,
              Key,
              UploadId,
              PartNumber,
              Body: body,
              ContentLength: body.length,
              ChecksumAlgorithm: 'CRC32',
            }),
          ),
        translate,
      ).catch((error: unknown) => {
        failed = true
        throw error
      })
      parts[index] = { PartNumber, ETag, ChecksumCRC32 }
    }
  }
  // Settle every worker before the caller aborts, so no part lands after the abort.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(PART_CONCURRENCY, count) }, worker))
  const rejected = outcomes.find((outcome) => outcome.status === 'rejected')
  if (rejected !== undefined) throw rejected.reason
  return parts
}

/** Aborts the upload after `error`; an abort that fails too is reported with it, never instead of it. */
async function abort(
  upload: MultipartUpload,
  UploadId: string,
  error: unknown,
  translate: (error: unknown) => VarveError,
): Promise<void> {
  const { client, bucket, objectKey: Key, retry } = upload
  try {
    await withRetry(
      retry,
      async () => {
        try {
          await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }))
        } catch (abortError) {
          if (!isNoSuchUpload(abortError)) throw abortError
        }
      },
      translate,
    )
  } catch (abortError) {
    const original = VarveError.is(error) ? error : translate(error)
    throw new VarveError(
      original.code,
      `${original.message} Aborting the multipart upload ${UploadId} failed too, so its parts stay stored ` +
        '(and billed) until a lifecycle rule with AbortIncompleteMultipartUpload removes them.',
      {
        cause: new AggregateError([error, abortError]),
        details: { ...original.details, uploadId: UploadId },
      },
    )
  }
}

function failure({ key, description, operation }: S3ErrorContext): string {
  return `Could not ${operation === 'create' ? 'create' : 'write'} ${JSON.stringify(key)} in ${description}`
}
