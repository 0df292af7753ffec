import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob'

/** Azurite's well-known development account: https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key */
export const ACCOUNT = 'devstoreaccount1'
export const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

export interface Azurite {
  readonly port: number
  readonly pid: number
  /** `http://127.0.0.1:PORT/devstoreaccount1` */
  readonly endpoint: string
  readonly connectionString: string
  /** A service client with the SDK's retries off, for setting up and inspecting. */
  readonly service: BlobServiceClient
  /** Creates a container with a fresh random name and returns the name. */
  createContainer(): Promise<string>
  stop(): Promise<void>
}

const STARTUP_MS = 30_000
const INSTALL_HINT =
  'Azurite 3.35.0 (a devDependency of @varve/store-azure) is needed for these tests: run `pnpm install` in the ' +
  'repository root (or `npm i -D azurite@3.35.0`; 3.36+ needs Node 21+).'

/** The path of Azurite's blob server script, from the azurite package this package depends on. */
export function azuriteBlobMain(): string {
  const require = createRequire(import.meta.url)
  let manifest: string
  try {
    manifest = require.resolve('azurite/package.json')
  } catch (cause) {
    throw new Error(`Azurite is not installed. ${INSTALL_HINT}`, { cause })
  }
  return join(dirname(manifest), 'dist', 'src', 'blob', 'main.js')
}

/**
 * Starts Azurite's blob service on 127.0.0.1, on a port the OS picks, keeping
 * everything in memory. Throws (failing the test) when it cannot start.
 */
export async function startAzurite(): Promise<Azurite> {
  const main = azuriteBlobMain()
  // Its working folder, in case it writes anything there (in memory it does not).
  const location = await mkdtemp(join(tmpdir(), 'varve-azurite-'))
  const args = [
    '--require',
    fileURLToPath(new URL('./exit-with-parent.cjs', import.meta.url)),
    main,
    ...['--blobHost', '127.0.0.1', '--blobPort', '0'],
    // In memory; no telemetry call to an outside host; the SDK's API version is newer than this Azurite's.
    ...['--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck'],
  ]
  const child = spawn(process.execPath, args, { cwd: location, stdio: ['pipe', 'pipe', 'pipe'] })
  let port: number
  try {
    port = await boundPort(child)
  } catch (error) {
    child.kill('SIGKILL')
    await rm(location, { recursive: true, force: true })
    throw error
  }
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${endpoint};`
  const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY), {
    retryOptions: { maxTries: 1 },
  })
  return {
    port,
    pid: child.pid as number,
    endpoint,
    connectionString,
    service,
    async createContainer() {
      const name = `varve-${Math.random().toString(36).slice(2, 12)}`
      await service.createContainer(name)
      return name
    },
    async stop() {
      await stopChild(child)
      await rm(location, { recursive: true, force: true })
    },
  }
}

function boundPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(
      () => fail(`Azurite did not report its port within ${STARTUP_MS / 1000} s.`),
      STARTUP_MS,
    )
    const fail = (message: string, hint = '') => {
      clearTimeout(timer)
      reject(new Error(`${message} Its output:\n${output}${hint}`))
    }
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        child.stdout?.off('data', read)
        child.stdout?.resume()
        resolve(Number(match[1]))
      }
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', (error) =>
      fail(`Azurite could not be started (${error.message}).`, `\n${INSTALL_HINT}`),
    )
    child.once('exit', (code, signal) => fail(`Azurite exited at start (code ${code}, signal ${signal}).`))
  })
}

/** Stops the server by its PID: SIGTERM, then SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}
