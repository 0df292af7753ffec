import { registerStoreScheme } from '@varve/core'
import type { Cloud, Clouds } from '../replication/clouds.ts'

/**
 * Points `s3://`, `gs://` and `az://` at the local servers, for this process:
 * a link recorded as `s3://bucket/prefix#sales` is then opened again by URI
 * (as another machine would open it against the real clouds).
 */
export function registerLocalClouds(clouds: Clouds): void {
  const prefixOf: Record<Cloud, (uri: URL) => string> = {
    S3: (uri) => uri.pathname.replace(/^\/+/, ''),
    GCS: (uri) => uri.pathname.replace(/^\/+/, ''),
    // az://account/container/prefix
    Azure: (uri) => uri.pathname.split('/').filter(Boolean).slice(1).join('/'),
  }
  const schemes: [string, Cloud][] = [
    ['s3', 'S3'],
    ['gs', 'GCS'],
    ['az', 'Azure'],
  ]
  for (const [scheme, cloud] of schemes) {
    registerStoreScheme(scheme, (uri) => clouds.store(cloud, prefixOf[cloud](uri)))
  }
}
