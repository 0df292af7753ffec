import type { File } from '@google-cloud/storage'

/** The bytes of a Node Buffer as a plain Uint8Array, without copying. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** The whole object (the SDK checks it against the server's CRC32C where the server sends one). */
export async function downloadObject(file: File): Promise<Uint8Array> {
  const [contents] = await file.download()
  return plain(contents)
}

/**
 * Bytes `[offset, offset + length)` through one ranged GET (`length` ≥ 1).
 * Throws the SDK's 416 error when `offset` lies at or past the end.
 */
export async function downloadRange(file: File, offset: number, length: number): Promise<Uint8Array> {
  const stream = file.createReadStream({ start: offset, end: offset + length - 1, validation: false })
  let status: number | undefined
  stream.on('response', (response: { statusCode?: number }) => {
    status = response.statusCode
  })
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  // 200 instead of 206: the server sent the whole object (the Firebase emulator does so
  // for a range past the end, where Google Cloud Storage answers 416).
  return plain(status === 206 ? body : body.subarray(offset, offset + length))
}

/** True when the object exists, from its metadata (one small GET). */
export async function objectExists(file: File): Promise<boolean> {
  const [exists] = await file.exists()
  return exists
}

/**
 * Uploads the object. Up to `resumableThreshold` bytes go in one multipart
 * request; larger objects through a resumable session that declares the total
 * length up front. `ifGenerationMatch: 0` makes the write conditional on the
 * object being absent (412 otherwise).
 */
export async function uploadObject(
  file: File,
  bytes: Uint8Array,
  resumableThreshold: number,
  ifGenerationMatch?: number,
): Promise<void> {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const resumable = body.length > resumableThreshold
  await file.save(body, {
    resumable,
    contentType: 'application/octet-stream',
    ...(resumable ? { metadata: { contentLength: body.length } } : {}),
    ...(ifGenerationMatch === undefined ? {} : { preconditionOpts: { ifGenerationMatch } }),
  })
}
