import { readFile, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runVarve } from './run-varve.ts'

const app = fileURLToPath(new URL('..', import.meta.url))
const manifest = async () =>
  JSON.parse(await readFile(join(app, 'node_modules/.cache/varve-bin/manifest.json'), 'utf8')) as {
    dir: string
    inputs: Record<string, string>
  }

describe('the varve binary', () => {
  it('rebuilds its cached bundle when a source it was built from changes', async () => {
    expect((await runVarve(['--version'])).stdout).toBe('0.1.0\n')
    const before = await manifest()
    const source = join(app, 'src/format.ts')
    expect(Object.keys(before.inputs)).toContain(source)
    const now = new Date()
    await utimes(source, now, now)
    expect((await runVarve(['--version'])).stdout).toBe('0.1.0\n')
    expect((await manifest()).dir).not.toBe(before.dir)
  })

  it('runs on the sources through tsx without the bundle', async () => {
    const run = await runVarve(['--version'], { env: { VARVE_NO_BUNDLE: '1' } })
    expect(run.stdout).toBe('0.1.0\n')
  })
})
