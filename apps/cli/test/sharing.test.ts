import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { csvRows, useVarveSandbox } from './run-varve.ts'

const sandbox = useVarveSandbox('sharing')
const { varve } = sandbox

beforeAll(async () => {
  // The hub is named by an alias; the commands below never spell its location.
  await writeFile(join(sandbox.base, 'varve.config.json'), JSON.stringify({ repos: { hub: './hub' } }))
  expect((await varve(['init', 'origin'])).code).toBe(0)
  await varve(['-R', 'origin', 'create', 'temperature', 'timestamp:timestamp*', 'value:float64'])
  await varve(['-R', 'origin', 'write', 'temperature', 'Brussels'], csvRows('2020-01-01,1', '2020-01-02,2'))
})

describe('publish, replicate, pull, detached copies', () => {
  it('publishes to an alias, replicates it read-only, and brings the replica up to date through the links', async () => {
    const published = await varve(['-R', 'origin', '--json', 'publish', 'temperature', 'hub'])
    expect(JSON.parse(published.stdout)).toEqual({
      collection: 'temperature',
      upstreams: [`file://${join(sandbox.base, 'hub')}#temperature`],
    })
    await varve(['init', 'reader'])
    const replicated = await varve(['-R', 'reader', 'replicate', 'hub#temperature', 'temps'])
    expect(replicated.stdout).toMatch(
      /^Replicated file:\/\/.*\/hub#temperature as "temps" \(read-only, 1 series\)/,
    )

    await varve(['-R', 'origin', 'write', 'temperature', 'Brussels'], csvRows('2020-01-03,3'))
    const pushed = await varve(['-R', 'origin', '--json', 'push'])
    expect(JSON.parse(pushed.stdout).collections).toMatchObject([{ collection: 'temperature', revisions: 1 }])
    const pulled = await varve(['-R', 'reader', '--json', 'pull'])
    expect(JSON.parse(pulled.stdout).collections).toMatchObject([{ collection: 'temps', revisions: 1 }])
    const read = await varve(['-R', 'reader', 'read', 'temps', 'Brussels', '--csv'])
    expect(read.stdout).toBe(
      'timestamp,value\n2020-01-01T00:00:00.000Z,1\n2020-01-02T00:00:00.000Z,2\n2020-01-03T00:00:00.000Z,3\n',
    )

    const refused = await varve(['-R', 'reader', 'write', 'temps', 'Brussels'], csvRows('2020-01-04,4'))
    expect(refused.code).toBe(14)
    expect(refused.stderr).toMatch(
      /^varve: Cannot write to it: collection "temps" is a read-only replica of file:.*\[ReadOnly\]\n$/,
    )
    // The way to a writable copy, said as a command rather than as the library's call.
    expect(refused.stderr).toContain(
      `use varve create temps-copy --from file://${join(sandbox.base, 'hub')}#temperature.`,
    )
    expect(refused.stderr).not.toContain('repo.createCollection')

    const copy = await varve(['-R', 'reader', 'create', 'mine', '--from', 'hub#temperature'])
    expect(copy.stdout).toBe('Created "mine" (timestamp: timestamp[ms]*, value: float64).\n')
    const written = await varve(['-R', 'reader', 'write', 'mine', 'Brussels'], csvRows('2020-01-04,4'))
    expect(written.code, written.stderr).toBe(0)

    // A replica is dropped only when the command says it is one, and the refusal says how.
    const kept = await varve(['-R', 'reader', 'drop', 'temps'])
    expect(kept.code).toBe(14)
    expect(kept.stderr).toContain('varve drop temps --replica')
    expect(kept.stderr).not.toContain('repo.dropCollection')
    const dropped = await varve(['-R', 'reader', 'drop', 'temps', '--replica'])
    expect(dropped.stdout).toBe('Dropped "temps".\n')
    expect((await varve(['-R', 'reader', '--json', 'ls'])).stdout).not.toContain('"temps"')
  })

  it('publishes, lists, reads and unpublishes datasets', async () => {
    const pin = await varve([
      '-R',
      'origin',
      'datasets',
      'publish',
      'early',
      'temperature',
      '--revision',
      'head',
      '--stop',
      '2020-01-03',
    ])
    expect(pin.stdout).toMatch(/^Published dataset "early": temperature at [0-9a-f]{16}-[0-9a-f]+\.\n$/)
    const taken = await varve(['-R', 'origin', 'datasets', 'publish', 'early', 'temperature'])
    expect(taken.code).toBe(5)
    expect(taken.stderr).toMatch(/^varve: .*"early".*\[AlreadyExists\]\n$/)

    const listed = JSON.parse((await varve(['-R', 'origin', '--json', 'datasets', 'ls'])).stdout)
    expect(listed).toMatchObject([
      { name: 'early', collection: 'temperature', stop: '2020-01-03T00:00:00.000Z' },
    ])
    const rowsOut = await varve(['-R', 'origin', 'datasets', 'get', 'early', 'Brussels', '--csv'])
    expect(rowsOut.stdout).toBe('timestamp,value\n2020-01-01T00:00:00.000Z,1\n2020-01-02T00:00:00.000Z,2\n')

    expect((await varve(['-R', 'origin', 'datasets', 'unpublish', 'early'])).code).toBe(0)
    const gone = await varve(['-R', 'origin', 'datasets', 'get', 'early'])
    expect(gone.code).toBe(4)
    expect(gone.stderr).toBe(
      'varve: No dataset "early"; none is published (varve datasets publish makes one). [NotFound]\n',
    )
  })
})
