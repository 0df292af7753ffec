import { type Store, type StoreOpenOptions, VarveError } from '@varve/core'
import { createGcsStore } from './gcs-store.ts'
import type { GcsStoreOptions } from './options.ts'

/**
 * The factory core's URI table calls for `gs://bucket/prefix` URIs
 * (`Repo.open('gs://bucket/prefix', { store: { projectId, apiEndpoint } })`).
 * `options` are those of {@link createGcsStore} except `bucket` and `prefix`,
 * which the URI names; `endpoint` and `project` are accepted for `apiEndpoint`
 * and `projectId`. Throws `InvalidArgument` for a URI with no bucket, with
 * credentials, a port, a query or a fragment, and for bad options.
 */
export function openGcsStore(uri: URL, options: StoreOpenOptions = {}): Store {
  if (uri.protocol !== 'gs:') throw invalid(`openGcsStore opens gs:// URIs, got ${uri.protocol}//.`)
  if (uri.username !== '' || uri.password !== '') {
    throw invalid(
      'A gs:// URI must not hold credentials: the store takes them from the SDK’s chain ' +
        '(GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login) or from a Storage you pass.',
    )
  }
  const shown = `gs://${uri.host}${uri.pathname}`
  if (uri.hostname === '') throw invalid(`The URI ${shown} names no bucket; write gs://bucket/prefix.`)
  if (uri.port !== '' || uri.search !== '' || uri.hash !== '') {
    throw invalid(
      `The URI ${shown} must be gs://bucket/prefix without a port, query or fragment; ` +
        'pass the endpoint as the option apiEndpoint.',
    )
  }
  for (const name of ['bucket', 'prefix']) {
    if (name in options) throw invalid(`The option ${name} cannot be given with a gs:// URI, which names it.`)
  }
  let prefix: string
  try {
    prefix = decodeURIComponent(uri.pathname.replace(/^\/+/, ''))
  } catch (cause) {
    throw invalid(`The prefix of ${shown} is not valid percent-encoding.`, cause)
  }
  // SPEC's option names for URIs (`endpoint`, `project`) are accepted as the SDK's.
  const { endpoint, project, ...rest } = options as Partial<GcsStoreOptions> & {
    endpoint?: string
    project?: string
  }
  return createGcsStore({
    ...rest,
    ...(endpoint === undefined ? {} : { apiEndpoint: endpoint }),
    ...(project === undefined ? {} : { projectId: project }),
    bucket: uri.hostname,
    prefix,
  })
}

function invalid(message: string, cause?: unknown): VarveError {
  return new VarveError('InvalidArgument', message, { cause })
}
