import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'

/** A local test server running as its own process, on 127.0.0.1. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string
  readonly pid: number
  /** Stops the server by its PID (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>
}

export interface ServerCommand {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  /** Matches the line that says the server listens; its first group is the port. */
  readonly ready: RegExp
  /** What to tell the user when the command cannot run. */
  readonly install: string
}

const START_TIMEOUT_MS = 30_000

/** Starts the server and resolves once it prints its port; rejects, saying what to install, when it cannot start. */
export async function startServerProcess(server: ServerCommand): Promise<ServerProcess> {
  const child = spawn(server.command, server.args, {
    cwd: server.cwd,
    env: server.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const port = await readyPort(child, server)
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: () => stop(child) }
}

function readyPort(child: ChildProcess, server: ServerCommand): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = ''
    const fail = (why: string) => {
      clearTimeout(timer)
      void stop(child)
      reject(new Error(`${server.name} ${why}. ${server.install}\nIts output:\n${output}`))
    }
    const timer = setTimeout(
      () => fail(`did not start within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = server.ready.exec(output)
      if (match) {
        clearTimeout(timer)
        // Keep draining its output so a chatty server never blocks on a full pipe.
        child.stdout?.removeListener('data', onData).resume()
        child.stderr?.removeListener('data', onData).resume()
        resolve(Number(match[1]))
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('error', (error) => fail(`could not be started (${error.message})`))
    child.once('exit', (code, signal) => fail(`exited before it listened (code ${code}, signal ${signal})`))
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = once(child, 'exit')
  process.kill(child.pid, 'SIGTERM')
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL')
  }, 5000)
  await exited
  clearTimeout(timer)
}
