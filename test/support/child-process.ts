import { type ChildProcess, spawn } from 'node:child_process'

/** How a child ended, with everything it printed. */
export interface ChildExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly lines: readonly string[]
  readonly stderr: string
}

export interface TsChildOptions {
  /** The child is killed (SIGKILL) and the run rejected after this long. */
  readonly timeoutMs: number
  /** Called with every line the child prints on stdout, as it arrives. */
  readonly onLine?: (line: string, child: ChildProcess) => void
}

/**
 * Runs a TypeScript script in a separate Node process on the workspace sources
 * (`--conditions=@varve/source --import tsx`). Resolves when the child ends,
 * whether it exited or was killed; rejects if it outlives `timeoutMs`.
 */
export function runTsChild(
  script: string,
  args: readonly string[],
  options: TsChildOptions,
): { child: ChildProcess; exit: Promise<ChildExit> } {
  const child = spawn(process.execPath, ['--conditions=@varve/source', '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let pending = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (text: string) => {
    pending += text
    const parts = pending.split('\n')
    pending = parts.pop()!
    for (const line of parts) {
      lines.push(line)
      options.onLine?.(line, child)
    }
  })
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (text: string) => {
    stderr += text
  })
  const exit = new Promise<ChildExit>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`${script} ${args.join(' ')} ran longer than ${options.timeoutMs} ms; stderr:\n${stderr}`),
      )
    }, options.timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (pending !== '') lines.push(pending)
      resolve({ code, signal, lines, stderr })
    })
  })
  return { child, exit }
}
