import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Repo } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runVarve } from './run-varve.ts'

let base: string
let repo: string
let env: Record<string, string>
const varve = (args: string[], input?: string) =>
  runVarve(['--repo', repo, ...args], { env, input, cwd: base })

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'varve-cli-'))
  repo = join(base, 'data')
  env = { VARVE_STATE_DIR: join(base, 'state') }
  expect((await runVarve(['init', repo], { env })).code).toBe(0)
  const created = await varve(['create', 'temperature', 'timestamp:timestamp*', 'value:float64'])
  expect(created.stdout).toContain('Created "temperature"')
})
afterAll(() => rm(base, { recursive: true, force: true }))

describe('write and read', () => {
  it('writes CSV from stdin as one revision per command and reads it back as a table, CSV and JSON lines', async () => {
    const csv =
      'series,timestamp,value\nBrussels,2020-01-01,1.5\nBrussels,2020-01-02T00:00Z,2.25\nOslo,2020-01-01,-3\n'
    const written = await varve(['write', 'temperature'], csv)
    expect(written.stderr).toBe('')
    expect(written.stdout).toMatch(/^Wrote 3 rows to 2 series of "temperature" in revision [0-9a-f]{16}-/)

    const table = await varve(['read', 'temperature', 'Brussels'])
    expect(table.stdout).toBe(
      'timestamp                 value\n2020-01-01T00:00:00.000Z    1.5\n2020-01-02T00:00:00.000Z   2.25\n[2 rows × 2 columns]\n',
    )
    const csvOut = await varve(['export', 'temperature', 'Brussels', '--csv', '--start', '2020-01-02'])
    expect(csvOut.stdout).toBe('timestamp,value\n2020-01-02T00:00:00.000Z,2.25\n')
    const json = await varve(['--json', 'read', 'temperature', 'Oslo'])
    expect(json.stdout).toBe('{"timestamp":"2020-01-01T00:00:00.000Z","value":-3}\n')

    // JSON lines read back in: an append to Oslo, in the format read --json prints.
    const appended = await varve(
      ['--json', 'write', 'temperature', 'Oslo'],
      '{"timestamp":"2020-01-02T00:00:00.000Z","value":-4}\n',
    )
    expect(JSON.parse(appended.stdout)).toMatchObject({ collection: 'temperature', rows: 1, series: 1 })

    const copy = (await (await Repo.open(repo, { create: false })).collection('temperature'))!
    expect([...(await copy.series('Oslo').read()).column('value')]).toEqual([-3, -4])
    expect(await copy.log()).toHaveLength(2)
  })

  it('lists collections and series, shows the schema, and marks the head in the log', async () => {
    const ls = await varve(['--json', 'ls'])
    expect(JSON.parse(ls.stdout)).toEqual([{ collection: 'temperature', series: 2, revisions: 2, heads: 1 }])
    const series = await varve(['ls', 'temperature'])
    expect(series.stdout).toMatch(
      /Brussels +2 {2}2020-01-01T00:00:00\.000Z {2}2020-01-02T00:00:00\.000Z +\d+ B/,
    )
    expect(series.stdout).toContain('2 series, 4 rows')
    const stored = (await (await Repo.open(repo, { create: false })).collection('temperature'))!
    const brussels = (await stored.series('Brussels').info())!
    expect(brussels.storedBytes).toBeGreaterThan(0)
    expect(JSON.parse((await varve(['--json', 'ls', 'temperature'])).stdout)[0]).toEqual({
      series: 'Brussels',
      rows: 2,
      first: '2020-01-01T00:00:00.000Z',
      last: '2020-01-02T00:00:00.000Z',
      storedBytes: brussels.storedBytes,
    })
    const schema = await varve(['--json', 'schema', 'temperature'])
    expect(JSON.parse(schema.stdout)).toEqual({ timestamp: 'timestamp[ms]*', value: 'float64' })
    const log = await varve(['--json', 'log', 'temperature'])
    expect(JSON.parse(log.stdout).map((r: { head: boolean }) => r.head)).toEqual([false, true])
  })

  it('records what the last command asked of its store for varve stats', async () => {
    await varve(['read', 'temperature', 'Brussels'])
    const stats = JSON.parse((await runVarve(['--json', 'stats'], { env })).stdout)
    expect(stats.last.command).toMatch(/read temperature Brussels$/)
    expect(stats.last.stores[0].role).toBe('repo')
    expect(stats.last.stores[0].stats.total.requests).toBeGreaterThan(0)
    expect(stats.last.stores[0].stats.put.requests).toBe(0)
  })
})

describe('bad input', () => {
  it('names the line and column of a value that is not a number, and writes nothing', async () => {
    const run = await varve(
      ['write', 'temperature', 'Paris'],
      'timestamp,value\n2020-01-01,1\n2020-01-02,abc\n',
    )
    expect(run.code).toBe(3)
    expect(run.stderr).toBe(
      'varve: Line 3 of stdin, column "value": "abc" is not a number. [InvalidArgument]\n',
    )
    const labels = await varve(['--json', 'ls'])
    expect(JSON.parse(labels.stdout)[0].series).toBe(2)
  })

  it('names the input line of a value the schema refuses', async () => {
    const run = await varve(
      ['write', 'temperature', 'Paris'],
      'timestamp,value\n2020-01-01,1\n2020-13-02,2\n',
    )
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(
      /^varve: Line 3 of stdin: Series "Paris": Column "timestamp", row 1: .*month 13/,
    )
  })

  it('refuses unknown columns, unknown collections, missing repositories and unknown options', async () => {
    const extra = await varve(['write', 'temperature', 'Paris'], 'timestamp,value,unit\n2020-01-01,1,C\n')
    expect(extra.code).toBe(3)
    expect(extra.stderr).toContain(
      'column "unit": no such column in the collection (its columns are timestamp, value)',
    )

    const missing = await varve(['read', 'humidity', 'Paris'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toBe(
      `varve: No collection "humidity" in file://${repo}; its collections are temperature. [NotFound]\n`,
    )

    const nowhere = await runVarve(['--repo', join(base, 'nothing'), 'ls'], { env })
    expect(nowhere.code).toBe(4)
    expect(nowhere.stderr).toContain(`create one with: varve init ${join(base, 'nothing')}`)

    const usage = await varve(['read', 'temperature', 'Paris', '--limit', 'ten'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain(
      "option '--limit <n>' argument 'ten' is invalid. expected a whole number ≥ 0",
    )

    const json = await runVarve(['--json', 'ls'], { env })
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        code: 'InvalidArgument',
        message:
          'No repository given: pass --repo <alias or location>, set VARVE_REPO, or put "repo" in varve.config.json.',
      },
    })
  })
})
