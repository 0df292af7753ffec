/**
 * A repository location fit to print: no user info and no query string, where
 * credentials hide (`s3://key:secret@bucket`, `?sig=...`). Folder paths pass unchanged.
 */
export function redactLocation(location: string): string {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(location)) return location
  try {
    const url = new URL(location)
    url.username = ''
    url.password = ''
    url.search = ''
    return url.toString()
  } catch {
    return location.replace(/\/\/[^@/]*@/, '//').replace(/\?.*$/, '')
  }
}
