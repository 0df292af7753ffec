import type { Store, StoreOpenOptions } from '@varve/core'
import { invalid, type S3StoreOptions } from './options.ts'
import { createS3Store } from './s3-store.ts'

/**
 * The factory core's URI table calls for `s3://bucket/prefix` URIs
 * (`Repo.open('s3://bucket/prefix', { store: { region: 'eu-west-1' } })`).
 * `options` takes every {@link S3StoreOptions} field but `bucket` and `prefix`,
 * which the URI gives. Throws `InvalidArgument` for a URI with credentials, a
 * query or a fragment (pass credentials in `options.credentials`, or let the
 * SDK find them).
 */
export function openS3Store(uri: URL, options: StoreOpenOptions = {}): Store {
  if (uri.protocol !== 's3:') {
    throw invalid(`The S3 store opens s3://bucket/prefix URIs, not ${uri.protocol}//…`)
  }
  if (uri.username !== '' || uri.password !== '') {
    throw invalid(
      'An s3:// URI must not hold credentials; pass them as options.credentials, or let the SDK find them ' +
        '(environment, profile, instance role).',
    )
  }
  if (uri.search !== '' || uri.hash !== '') {
    throw invalid(
      `The URI s3://${uri.host}${uri.pathname} has a query or fragment; pass region, endpoint and the other settings as options.`,
    )
  }
  for (const name of ['bucket', 'prefix']) {
    if (name in options) {
      throw invalid(`The ${name} comes from the URI (s3://bucket/prefix); do not pass it as an option too.`)
    }
  }
  const prefix = decode(uri.pathname.replace(/^\/+/, ''))
  return createS3Store({ ...(options as Omit<S3StoreOptions, 'bucket'>), bucket: decode(uri.host), prefix })
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch (cause) {
    throw invalid(`The s3:// URI part ${JSON.stringify(part)} is not valid percent-encoding.`, cause)
  }
}
