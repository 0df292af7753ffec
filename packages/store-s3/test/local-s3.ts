import { randomBytes } from 'node:crypto'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'

/** Any credentials do for moto without authentication; explicit, so the SDK never searches the machine for some. */
export const credentials = { accessKeyId: 'varve-test', secretAccessKey: 'varve-test-secret' }

/** The store options for a local server, as EMULATORS.md says: explicit credentials, any region, path-style addressing. */
export function localOptions(endpoint: string) {
  return { endpoint, region: 'us-east-1', forcePathStyle: true, credentials }
}

/**
 * A client for a local server with exactly the settings EMULATORS.md lists
 * (checksums only where required: the defaults fail on such servers), and no
 * SDK retries, so the store's own retries are the only ones.
 */
export function localClient(endpoint: string): S3Client {
  return new S3Client({
    ...localOptions(endpoint),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  })
}

/** A fresh bucket with a random name; the store never creates buckets, the tests do. */
export async function createTestBucket(client: S3Client): Promise<string> {
  const bucket = `varve-test-${randomBytes(6).toString('hex')}`
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  return bucket
}

/** A random key prefix for one run, e.g. `run-1a2b3c4d`. */
export function randomPrefix(): string {
  return `run-${randomBytes(4).toString('hex')}`
}
