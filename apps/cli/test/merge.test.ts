import { beforeAll, describe, expect, it } from 'vitest'
import { csvRows, useVarveSandbox } from './run-varve.ts'

const sandbox = useVarveSandbox('merge')
const { varve } = sandbox

beforeAll(async () => {
  await varve(['init', 'a'])
  await varve(['-R', 'a', 'create', 'temperature', 'timestamp:timestamp*', 'value:float64'])
  await varve(['-R', 'a', 'write', 'temperature', 'Brussels'], csvRows('2020-01-01,1', '2020-01-02,2'))
  await varve(['clone', 'a', 'b'])
  // Two writers on two copies change the same day differently: the pull brings two heads.
  await varve(['-R', 'b', 'write', 'temperature', 'Brussels'], csvRows('2020-01-02,20'))
  await varve(['-R', 'a', 'write', 'temperature', 'Brussels'], csvRows('2020-01-02,200'))
  await varve(['-R', 'a', 'pull', 'b'])
})

describe('merge', () => {
  it('lists the conflicts of a dry run and writes nothing; strategy fail refuses; the default keeps the later write', async () => {
    const heads = JSON.parse((await varve(['-R', 'a', '--json', 'heads', 'temperature'])).stdout)
    expect(heads).toHaveLength(2)

    const dry = await varve(['-R', 'a', 'merge', 'temperature', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain(
      '1 conflict:\n  Brussels  [2020-01-02T00:00:00.000Z … 2020-01-02T00:00:00.000Z]',
    )
    const dryFail = await varve([
      '-R',
      'a',
      '--json',
      'merge',
      'temperature',
      '--dry-run',
      '--strategy',
      'fail',
    ])
    expect(dryFail.code).toBe(13)
    expect(JSON.parse(dryFail.stdout).conflicts).toEqual([
      {
        series: 'Brussels',
        start: '2020-01-02T00:00:00.000Z',
        stop: '2020-01-02T00:00:00.000Z',
        revisions: heads.map((h: { id: string }) => h.id),
      },
    ])
    const log = JSON.parse((await varve(['-R', 'a', '--json', 'log', 'temperature'])).stdout)
    expect(log).toHaveLength(3)

    const refused = await varve(['-R', 'a', 'merge', 'temperature', '--strategy', 'fail'])
    expect(refused.code).toBe(13)
    expect(refused.stderr).toMatch(
      /^varve: Merge refused: 1 conflicting change\(s\): "Brussels" .*\[MergeConflict\]\n$/,
    )

    const merged = await varve(['-R', 'a', 'merge', 'temperature'])
    expect(merged.stdout).toMatch(
      /^Merged 2 heads of "temperature" into [0-9a-f]{16}-[0-9a-f]+; series recomputed: Brussels\.\n$/,
    )
    const read = await varve(['-R', 'a', 'read', 'temperature', 'Brussels', '--csv'])
    expect(read.stdout).toBe('timestamp,value\n2020-01-01T00:00:00.000Z,1\n2020-01-02T00:00:00.000Z,200\n')
  })
})
