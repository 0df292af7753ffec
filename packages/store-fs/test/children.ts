import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface Child {
  readonly process: ChildProcess
  /** Lines printed on stdout so far. */
  readonly lines: string[]
  /** Resolves once a printed line satisfies `test`. */
  waitForLine(test: (line: string) => boolean): Promise<void>
  /** Resolves when the process ends, with its exit code or signal and its stderr. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
}

/**
 * Starts `test/children/<script>` as its own Node process, running the
 * TypeScript sources through tsx the way the tests do (the '@varve/source'
 * condition). `--import tsx` resolves from the working directory upwards, so the
 * child runs in this package's folder, where it finds the workspace's tsx.
 */
export function startChild(script: string, args: readonly string[]): Child {
  const path = fileURLToPath(new URL(`./children/${script}`, import.meta.url))
  const child = spawn(process.execPath, ['--conditions=@varve/source', '--import', 'tsx', path, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const waiters = new Set<{ test: (line: string) => boolean; resolve: () => void }>()
  let partial = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      for (const waiter of waiters) {
        if (waiter.test(line)) {
          waiters.delete(waiter)
          waiter.resolve()
        }
      }
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject)
      child.on('close', (code, signal) => resolve({ code, signal, stderr }))
    },
  )
  const waitForLine = (test: (line: string) => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some(test)) return resolve()
      waiters.add({ test, resolve })
      exited.then(({ code, signal }) => {
        reject(
          new Error(`${script} ended (code ${code}, signal ${signal}) before the line awaited:\n${stderr}`),
        )
      }, reject)
    })
  return { process: child, lines, waitForLine, exited }
}
