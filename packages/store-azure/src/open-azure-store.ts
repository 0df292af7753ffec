import { type Store, type StoreOpenOptions, VarveError } from '@varve/core'
import { createAzureStore } from './azure-store.ts'
import type { AzureStoreOptions } from './options.ts'

/**
 * The factory core's URI table calls for `az://account/container/prefix`
 * (`Repo.open('az://acct/data/team', { store: { … } })`). The URI names the
 * account, the container and the key prefix; `options` holds the rest of
 * {@link AzureStoreOptions}: a `connectionString`, `accountKey`, `sasToken` or
 * `credential` (with `endpoint` for an emulator), a ready client, tuning. With no
 * credentials there, the connection string in `AZURE_STORAGE_CONNECTION_STRING`
 * is used; it must be for the URI's account.
 *
 * Throws `InvalidArgument` for a URI without account or container, one holding
 * credentials (user info or a query: pass a SAS as `sasToken` instead), options
 * that repeat what the URI says, and anything `createAzureStore` refuses.
 */
export function openAzureStore(uri: URL, options: StoreOpenOptions = {}): Store {
  const shown = `az://${uri.host}${uri.pathname}`
  if (uri.username !== '' || uri.password !== '' || uri.search !== '' || uri.hash !== '') {
    throw invalid(
      `The URI ${shown} must not hold credentials, a query or a fragment; pass a SAS as options.sasToken or a key as options.accountKey.`,
    )
  }
  for (const name of ['account', 'container', 'prefix', 'sasUrl']) {
    if (options[name] !== undefined) {
      throw invalid(`The URI ${shown} names the account, container and prefix; drop options.${name}.`)
    }
  }
  const segments = uri.pathname.split('/').filter((segment) => segment !== '')
  const [container, ...prefix] = segments.map((segment) => decode(segment, shown))
  if (uri.host === '' || container === undefined) {
    throw invalid(`The URI ${shown} needs an account and a container: az://account/container/prefix.`)
  }
  return createAzureStore({
    ...(options as AzureStoreOptions),
    account: uri.host,
    container,
    prefix: prefix.join('/'),
  })
}

function decode(segment: string, shown: string): string {
  try {
    return decodeURIComponent(segment)
  } catch (cause) {
    throw new VarveError('InvalidArgument', `The URI ${shown} holds a malformed %-escape.`, { cause })
  }
}

function invalid(message: string): VarveError {
  return new VarveError('InvalidArgument', message)
}
