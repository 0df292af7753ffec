import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runVarve, VARVE_BIN } from './run-varve.ts'

let base: string
let env: Record<string, string>
const varve = (args: string[], input?: string) =>
  runVarve(['--progress', 'none', ...args], { env, input, cwd: base })

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'varve-cli-serve-'))
  env = { VARVE_STATE_DIR: join(base, 'state') }
  await varve(['init', 'data'])
  await varve(['-R', 'data', 'create', 'temperature', 'timestamp:timestamp*', 'value:float64'])
  await varve(['-R', 'data', 'write', 'temperature', 'Brussels'], 'timestamp,value\n2020-01-01,1.5\n')
})
afterAll(() => rm(base, { recursive: true, force: true }))

describe('varve serve', () => {
  it('serves the API and the objects a pull over http reads, and stops on SIGTERM', async () => {
    const server = spawn(process.execPath, [VARVE_BIN, '-R', 'data', '--json', 'serve', '--port', '0'], {
      cwd: base,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => server.on('close', resolve))
    try {
      const started = await new Promise<{ url: string; repoUrl: string; writable: boolean }>(
        (resolve, reject) => {
          let out = ''
          server.stdout.setEncoding('utf8').on('data', (text: string) => {
            out += text
            if (out.includes('\n')) resolve(JSON.parse(out))
          })
          server.on('close', () => reject(new Error('varve serve ended before it printed its address')))
        },
      )
      expect(started.writable).toBe(false)
      const api = (await (await fetch(`${started.url}/api/collections`)).json()) as { collections: unknown[] }
      expect(api.collections).toMatchObject([{ name: 'temperature', series: 1, rows: 1 }])

      await varve(['init', 'mirror'])
      const pulled = await varve(['-R', 'mirror', 'pull', started.repoUrl])
      expect(pulled.code, pulled.stderr).toBe(0)
      expect((await varve(['-R', 'mirror', 'read', 'temperature', 'Brussels', '--csv'])).stdout).toBe(
        'timestamp,value\n2020-01-01T00:00:00.000Z,1.5\n',
      )
    } finally {
      server.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })
})
