import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'

/** The real binary, as `pnpm install` links it. */
export const VARVE_BIN = fileURLToPath(new URL('../bin/varve.js', import.meta.url))

export interface VarveRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface VarveRunOptions {
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string>>
  /** Written to stdin (which is closed after it); stdin is empty otherwise. */
  readonly input?: string | Uint8Array
  /** Called with each line of stderr as it arrives (progress lines), with a way to kill the process. */
  readonly onStderrLine?: (line: string, kill: () => void) => void
  readonly timeoutMs?: number
}

/**
 * Runs `varve <args>` in its own process, with a state folder of the test's
 * (`env.VARVE_STATE_DIR`) and no user config unless given. Resolves when it ends.
 */
export function runVarve(args: readonly string[], options: VarveRunOptions = {}): Promise<VarveRun> {
  const child = spawn(process.execPath, [VARVE_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent-varve-test', NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let pending = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text
  })
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
    pending += text
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) options.onStderrLine?.(line, () => child.kill('SIGKILL'))
  })
  child.stdin.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`varve ${args.join(' ')} ran longer than ${options.timeoutMs ?? 30_000} ms:\n${stderr}`),
      )
    }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** A folder of one test file's own, where `varve` runs with a state folder inside it. */
export interface VarveSandbox {
  /** The folder; known once the file's `beforeAll` hooks run (the sandbox's runs first). */
  readonly base: string
  /** `varve --progress none <args>` in `base`, with `input` on stdin. */
  varve(args: readonly string[], input?: string): Promise<VarveRun>
}

/**
 * Makes a temporary folder before the file's tests (register it at the top of
 * the file, before its own `beforeAll`) and removes it after them.
 */
export function useVarveSandbox(name: string): VarveSandbox {
  let folder: string | undefined
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), `varve-cli-${name}-`))
  })
  afterAll(() => (folder === undefined ? undefined : rm(folder, { recursive: true, force: true })))
  const sandbox: VarveSandbox = {
    get base() {
      if (folder === undefined)
        throw new Error('The sandbox is made in beforeAll: use it from a hook or a test.')
      return folder
    },
    varve: (args, input) =>
      runVarve(['--progress', 'none', ...args], {
        env: { VARVE_STATE_DIR: join(sandbox.base, 'state') },
        ...(input === undefined ? {} : { input }),
        cwd: sandbox.base,
      }),
  }
  return sandbox
}

/** `timestamp,value` CSV with these rows, for `varve write`. */
export function csvRows(...lines: string[]): string {
  return `timestamp,value\n${lines.join('\n')}\n`
}
