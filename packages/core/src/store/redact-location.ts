const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//

/**
 * A location fit to print: a URI without its user info (`s3://KEY:SECRET@bucket`)
 * and without its query (`?sv=…&sig=…`, an Azure SAS token), where credentials
 * hide; the rest (path, `#collection`) stays as written. A folder path (no
 * `scheme://`) is returned unchanged. Never throws, whatever the input.
 */
export function redactLocation(location: string): string {
  const scheme = SCHEME.exec(location)?.[0]
  if (scheme === undefined) return location
  // The authority ends at the first '/', '?' or '#'; user info is whatever it holds before its last '@'.
  const rest = location.slice(scheme.length).replace(/^[^/?#]*@/, '')
  const hash = rest.indexOf('#')
  const beforeHash = hash < 0 ? rest : rest.slice(0, hash)
  const query = beforeHash.indexOf('?')
  return scheme + (query < 0 ? beforeHash : beforeHash.slice(0, query)) + (hash < 0 ? '' : rest.slice(hash))
}
