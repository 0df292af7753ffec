import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runVarve } from './run-varve.ts'

let base: string
let env: Record<string, string>

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'varve-cli-formats-'))
  env = { VARVE_STATE_DIR: join(base, 'state') }
  // The project's config names the default repository relative to itself: commands run from a subfolder.
  await writeFile(
    join(base, 'varve.config.json'),
    JSON.stringify({ repo: 'main', repos: { main: './data' } }),
  )
  await mkdir(join(base, 'sub'))
})
afterAll(() => rm(base, { recursive: true, force: true }))

const varve = (args: string[], input?: string) => runVarve(args, { env, input, cwd: join(base, 'sub') })

describe('formats and configuration', () => {
  it('takes the repository from the nearest varve.config.json, and round-trips TSV and Arrow IPC', async () => {
    expect((await varve(['init'])).stdout).toBe(`Repository ready at file://${join(base, 'data')}.\n`)
    await varve([
      'create',
      'trades',
      'time:timestamp[us]*',
      'venue:str',
      'price:float64',
      'size:int64',
      'ok:bool',
    ])
    const tsv =
      'time\tvenue\tprice\tsize\tok\n' +
      '2020-01-01T00:00:00.000001Z\tXAMS\t10.5\t9007199254740993\ttrue\n' +
      '2020-01-01T00:00:01Z\tXPAR\tNaN\t-2\t0\n'
    const written = await varve(['write', 'trades', 'ABC', '--format', 'tsv'], tsv)
    expect(written.code, written.stderr).toBe(0)
    const json = await varve(['--json', 'read', 'trades', 'ABC'])
    expect(json.stdout).toBe(
      '{"time":"2020-01-01T00:00:00.000001Z","venue":"XAMS","price":10.5,"size":"9007199254740993","ok":true}\n' +
        '{"time":"2020-01-01T00:00:01.000000Z","venue":"XPAR","price":"NaN","size":-2,"ok":false}\n',
    )

    const file = join(base, 'abc.arrows')
    expect((await varve(['export', 'trades', 'ABC', '--arrow', '--output', file])).code).toBe(0)
    expect((await varve(['import', 'trades', 'DEF', '--file', file])).code).toBe(0)
    const copy = await varve(['--json', 'read', 'trades', 'DEF'])
    expect(copy.stdout).toBe(json.stdout)
    const jsonl = await varve(['write', 'trades', 'GHI'], json.stdout)
    expect(jsonl.code, jsonl.stderr).toBe(0)
    expect((await varve(['--json', 'read', 'trades', 'GHI'])).stdout).toBe(json.stdout)
  })

  it('imports Parquet, naming the row of a missing value', async () => {
    await varve(['create', 'temps', 'timestamp:timestamp*', 'value:float64'])
    const day = (d: number) => new Date(Date.UTC(2020, 0, d))
    const file = join(base, 'temps.parquet')
    await writeFile(
      file,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'series', data: ['Oslo', 'Oslo', 'Rome'], type: 'STRING' },
            { name: 'timestamp', data: [day(1), day(2), day(1)], type: 'TIMESTAMP' },
            { name: 'value', data: [-3.5, -4, 12.25], type: 'DOUBLE' },
          ],
        }),
      ),
    )
    const imported = await varve(['import', 'temps', '--file', file])
    expect(imported.stdout).toMatch(/^Wrote 3 rows to 2 series of "temps"/)
    expect((await varve(['read', 'temps', 'Oslo', '--csv'])).stdout).toBe(
      'timestamp,value\n2020-01-01T00:00:00.000Z,-3.5\n2020-01-02T00:00:00.000Z,-4\n',
    )

    const holes = join(base, 'holes.parquet')
    await writeFile(
      holes,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'timestamp', data: [day(3), day(4)], type: 'TIMESTAMP' },
            { name: 'value', data: [1, null], type: 'DOUBLE', nullable: true },
          ],
        }),
      ),
    )
    const refused = await varve(['write', 'temps', 'Oslo', '--file', holes])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toBe(
      `varve: Row 2 of ${holes}, column "value": the value is missing; every row needs a value. [InvalidArgument]\n`,
    )
  })

  it('refuses a broken config file, naming it', async () => {
    const bad = join(base, 'bad.json')
    await writeFile(bad, JSON.stringify({ repos: { prod: { url: 's3://x' } } }))
    const run = await runVarve(['ls'], { env: { ...env, VARVE_CONFIG: bad } })
    expect(run.code).toBe(3)
    expect(run.stderr).toBe(
      `varve: Config file ${bad}: alias "prod" must be a location or { "uri": ..., "options": {...} }. [InvalidArgument]\n`,
    )
  })

  it('squashes history and runs gc as a dry run, changing nothing', async () => {
    const squash = await varve(['squash', 'trades'])
    expect(squash.stdout).toBe('Packed 2 revisions of "trades".\n')
    const gc = await varve(['--json', 'gc', '--dry-run'])
    expect(JSON.parse(gc.stdout)).toMatchObject({ dryRun: true, deleted: [], keptRevisions: 4 })
  })
})
