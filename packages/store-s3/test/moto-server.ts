import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'

/** A moto S3 server started by a test, on 127.0.0.1 and a free port. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string
  readonly pid: number
  /** Stops the server by its PID (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>
}

export interface MotoOptions {
  /** Check credentials: every request after the first `freeActions` needs a key moto's IAM knows. Default off. */
  readonly authenticate?: { readonly freeActions: number }
}

const READY = /Running on http:\/\/127\.0\.0\.1:(\d+)/
const START_TIMEOUT_MS = 30_000

const missing =
  'The S3 tests need moto, a local S3 server, and python3 cannot import it. Install it with ' +
  `\`python3 -m pip install 'moto[server]==5.2.1'\` (for the python3 on PATH), then rerun. ` +
  'See packages/store-s3/README.md, "Local testing".'

/** Starts `python3 -m moto.server -H 127.0.0.1 -p 0` and resolves once it listens; throws, saying what to install, when it cannot. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(`${missing}\n${probe.error?.message ?? probe.stderr}`)
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' }
  if (options.authenticate) env.INITIAL_NO_AUTH_ACTION_COUNT = String(options.authenticate.freeActions)
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const port = await readyPort(child)
  const pid = child.pid as number
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid,
    stop: () => stop(child),
  }
}

function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      void stop(child)
      reject(new Error(`moto did not start within ${START_TIMEOUT_MS / 1000} s. Its output:\n${output}`))
    }, START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = READY.exec(output)
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
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`${missing}\n${error.message}`))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(
        new Error(`moto exited before it listened (code ${code}, signal ${signal}). Its output:\n${output}`),
      )
    })
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
