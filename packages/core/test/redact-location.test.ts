import { openStore, redactLocation, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

describe('redactLocation', () => {
  it('strips user info and the query of a URI, keeping the rest as written', () => {
    const cases: [string, string][] = [
      ['s3://AKIAXXXX:secret@bucket/hub', 's3://bucket/hub'],
      ['az://account/container/hub?sv=2024&sig=SECRET', 'az://account/container/hub'],
      ['az://account/container/hub?sig=SECRET#sales', 'az://account/container/hub#sales'],
      ['https://user:pw@host:8080/repo?token=T#no spaces', 'https://host:8080/repo#no spaces'],
      ['https://a@b@host/x', 'https://host/x'],
      ['s3://bucket/a@b/hub', 's3://bucket/a@b/hub'],
      ['memory://hub', 'memory://hub'],
      // Not a valid URL (the port), yet nothing secret stays.
      ['s3://KEY:SECRET@bucket:99999/hub?sig=SECRET', 's3://bucket:99999/hub'],
    ]
    for (const [input, shown] of cases) expect(redactLocation(input), input).toBe(shown)
  })

  it('passes folder paths through unchanged', () => {
    for (const path of ['./data', '/srv/hub#sales', 'relative/a@b?c', 'C:\\data']) {
      expect(redactLocation(path)).toBe(path)
    }
  })

  it('keeps credentials out of openStore messages, for URIs that do not parse too', async () => {
    for (const uri of [
      's3://KEY:SECRET@bucket:99999/hub?sig=SECRET',
      'nope://KEY:SECRET@host/x?sig=SECRET',
    ]) {
      const error = await openStore(uri).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(VarveError.is(error), uri).toBe(true)
      expect((error as VarveError).message, uri).not.toMatch(/SECRET|KEY/)
    }
  })
})
