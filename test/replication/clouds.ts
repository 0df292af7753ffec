import { randomBytes } from 'node:crypto'
import type { Store } from '@varve/core'
import { createAzureStore } from '@varve/store-azure'
import { createGcsStore } from '@varve/store-gcs'
import { createS3Store, type S3StoreOptions } from '@varve/store-s3'
import { type Azurite, startAzurite } from '../../packages/store-azure/test/azurite.ts'
import { type GcsEmulator, startGcsEmulator } from '../../packages/store-gcs/test/gcs-emulator.ts'
import { createTestBucket, localClient, localOptions } from '../../packages/store-s3/test/local-s3.ts'
import { serverKind, serverOptions, startS3Server } from '../../packages/store-s3/test/s3-server.ts'
import type { ServerProcess } from '../../packages/store-s3/test/server-process.ts'

export type Cloud = 'S3' | 'GCS' | 'Azure'

/** The three local cloud servers, each with one bucket (or container) for the whole run. */
export interface Clouds {
  /** Which S3 server runs (moto, or fauxqs where moto is absent). */
  readonly s3Server: string
  /**
   * A new store object (with its own SDK client) on `cloud`'s server under
   * `prefix`; a fresh random prefix by default. Two calls with one prefix see
   * the same objects, as two machines would.
   */
  store(cloud: Cloud, prefix?: string): Store
  /** The options `createS3Store` takes for `prefix`, as JSON another process can rebuild the store from. */
  s3Options(prefix: string): S3StoreOptions
  /** Where the GCS and Azure servers are, for SDK clients of one's own beside the stores (S3's: `s3Options`). */
  readonly gcs: { readonly endpoint: string; readonly projectId: string; readonly bucket: string }
  readonly azure: { readonly connectionString: string; readonly container: string }
  /** Closes every store made and stops every server (all of them, even when one fails to stop). */
  stop(): Promise<void>
}

/** A random key prefix for one repository, e.g. `repl-1a2b3c4d`. */
export function randomPrefix(): string {
  return `repl-${randomBytes(4).toString('hex')}`
}

const GCS_BUCKET = 'varve-replication'

/**
 * Starts moto (or fauxqs), the Firebase Storage emulator and Azurite side by
 * side with the store packages' own test harnesses. When one cannot start,
 * those that did are stopped and the error is thrown.
 */
export async function startClouds(): Promise<Clouds> {
  const started = await Promise.allSettled([startS3Server(), startGcsEmulator(), startAzurite()] as const)
  const stoppers = started.flatMap((s) => (s.status === 'fulfilled' ? [() => s.value.stop()] : []))
  const [s3, gcs, azure] = started
  try {
    if (s3.status === 'rejected') throw s3.reason
    if (gcs.status === 'rejected') throw gcs.reason
    if (azure.status === 'rejected') throw azure.reason
    return await connect(s3.value, gcs.value, azure.value, stoppers)
  } catch (error) {
    try {
      await stopAll(stoppers)
    } catch (stopError) {
      throw new AggregateError(
        [error, stopError],
        'A cloud server failed to start, and stopping the others failed',
      )
    }
    throw error
  }
}

async function connect(
  s3: ServerProcess,
  gcs: GcsEmulator,
  azure: Azurite,
  stoppers: (() => Promise<void>)[],
): Promise<Clouds> {
  const admin = localClient(s3.endpoint)
  const bucket = await createTestBucket(admin).finally(() => admin.destroy())
  const container = await azure.createContainer()
  const stores: Store[] = []
  const s3Options = (prefix: string): S3StoreOptions => ({
    ...localOptions(s3.endpoint),
    ...serverOptions,
    bucket,
    prefix,
  })
  const make: Record<Cloud, (prefix: string) => Store> = {
    S3: (prefix) => createS3Store(s3Options(prefix)),
    GCS: (prefix) =>
      createGcsStore({ bucket: GCS_BUCKET, prefix, apiEndpoint: gcs.endpoint, projectId: gcs.projectId }),
    Azure: (prefix) => createAzureStore({ connectionString: azure.connectionString, container, prefix }),
  }
  return {
    s3Server: serverKind,
    store(cloud, prefix = randomPrefix()) {
      const store = make[cloud](prefix)
      stores.push(store)
      return store
    },
    s3Options,
    gcs: { endpoint: gcs.endpoint, projectId: gcs.projectId, bucket: GCS_BUCKET },
    azure: { connectionString: azure.connectionString, container },
    async stop() {
      await stopAll([...stores.map((store) => async () => store.close?.()), ...stoppers])
    },
  }
}

/** Runs every stopper, even after one fails; then throws the first failure. */
async function stopAll(stoppers: readonly (() => Promise<void>)[]): Promise<void> {
  const results = await Promise.allSettled(stoppers.map((stop) => stop()))
  const failed = results.find((r) => r.status === 'rejected')
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
}
