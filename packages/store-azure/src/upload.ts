import { randomBytes } from 'node:crypto'
import type { BlobRequestConditions, BlockBlobClient } from '@azure/storage-blob'
import type { VarveError } from '@varve/core'
import { forEachLimited } from '@varve/core'
import { errorCodeOf } from './errors.ts'

/** How uploads run; `call` runs one SDK request with retries, a timeout and error translation. */
export interface UploadSettings {
  readonly singleUploadBytes: number
  readonly blockBytes: number
  readonly uploadConcurrency: number
  readonly call: <T>(request: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>
  /** The error when concurrent writers of the blob keep discarding our staged blocks. */
  readonly blocksLost: (rounds: number) => VarveError
}

/** What the write asks of the service besides the bytes. */
export interface UploadRequest {
  readonly conditions?: BlobRequestConditions
  readonly metadata?: Record<string, string>
}

// A block blob holds at most 50,000 blocks: https://learn.microsoft.com/rest/api/storageservices/put-block-list#remarks
const MAX_BLOCKS = 50_000
// A round fails only when another writer of the blob commits during it, and each writer commits once:
// with up to this many writers of one key at once, every one of them finishes.
const STAGING_ROUNDS = 16
const headers = { blobContentType: 'application/octet-stream' }

/**
 * Writes `bytes` as the whole blob, with a known length: one Put Blob request up
 * to `singleUploadBytes`, else blocks staged `uploadConcurrency` at a time (each
 * retried on its own) and committed by one Put Block List, which is when the
 * blob appears, whole, and when `conditions` apply.
 */
export async function uploadBytes(
  blob: BlockBlobClient,
  bytes: Uint8Array,
  request: UploadRequest,
  settings: UploadSettings,
): Promise<void> {
  const { conditions, metadata } = request
  const { call } = settings
  if (bytes.length <= settings.singleUploadBytes) {
    await call((abortSignal) =>
      blob.upload(bytes, bytes.length, { abortSignal, conditions, metadata, blobHTTPHeaders: headers }),
    )
    return
  }
  const blockSize = Math.max(settings.blockBytes, Math.ceil(bytes.length / MAX_BLOCKS))
  const count = Math.ceil(bytes.length / blockSize)
  for (let round = 1; round <= STAGING_ROUNDS; round++) {
    const ids = blockIds(count)
    await forEachLimited(ids, settings.uploadConcurrency, async (id, index) => {
      const block = bytes.subarray(index * blockSize, Math.min(bytes.length, (index + 1) * blockSize))
      await call((abortSignal) => blob.stageBlock(id, block, block.length, { abortSignal }))
    })
    const committed = await call(async (abortSignal) => {
      try {
        await blob.commitBlockList(ids, { abortSignal, conditions, metadata, blobHTTPHeaders: headers })
        return true
      } catch (error) {
        // Committing a blob discards its uncommitted blocks, ours among them when another
        // writer of the same blob commits first: stage again.
        if (errorCodeOf(error) === 'InvalidBlockList') return false
        throw error
      }
    })
    if (committed) return
  }
  throw settings.blocksLost(STAGING_ROUNDS)
}

/**
 * Fresh block ids for one upload. Every block id of a blob must have the same
 * length, uncommitted blocks of other writers included, so these match the
 * SDK's own (64 base64 characters of 48 bytes).
 */
function blockIds(count: number): string[] {
  const stem = randomBytes(16).toString('hex')
  return Array.from({ length: count }, (_, index) =>
    Buffer.from(`${stem}${String(index).padStart(16, '0')}`).toString('base64'),
  )
}
