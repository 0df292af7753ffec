import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/** A running Firebase Storage emulator, the Google Cloud Storage JSON API on 127.0.0.1. */
export interface GcsEmulator {
  /** The `apiEndpoint` for the SDK, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string
  readonly projectId: string
  /** Milliseconds from spawning `firebase emulators:start` to "All emulators ready". */
  readonly startupMs: number
  /** Stops the emulator and its rules-runtime child (the whole process group) and removes its folder. */
  stop(): Promise<void>
}

const run = promisify(execFile)
const testFolder = dirname(fileURLToPath(import.meta.url))
const firebaseBin = join(testFolder, '..', 'node_modules', '.bin', 'firebase')
const standInSource = join(testFolder, 'rules-stand-in', 'RulesStandIn.java')
const projectId = 'demo-varve'
const READY = 'All emulators ready'
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

const storageRules = `rules_version = '2';
service firebase.storage {
  match /b/{bucket}/o {
    match /{allPaths=**} {
      allow read, write: if true;
    }
  }
}
`

/**
 * Starts the Firebase Storage emulator of firebase-tools 13 (this package's dev
 * dependency) on free 127.0.0.1 ports, the way /work/shared/EMULATORS.md
 * describes: offline it would download its rules runtime, so a stand-in
 * (test/rules-stand-in) is compiled with javac into a jar and named by
 * `STORAGE_EMULATOR_BINARY_PATH`. Throws, saying what to install, when Java,
 * javac or firebase-tools are missing or the emulator does not come up.
 */
export async function startGcsEmulator(): Promise<GcsEmulator> {
  const folder = await mkdtemp(join(tmpdir(), 'varve-gcs-emulator-'))
  try {
    return await launch(folder)
  } catch (error) {
    await rm(folder, { recursive: true, force: true })
    throw error
  }
}

async function launch(folder: string): Promise<GcsEmulator> {
  if (!existsSync(firebaseBin)) {
    throw new Error(
      `The GCS tests need firebase-tools (a dev dependency of @varve/store-gcs) at ${firebaseBin}: run \`pnpm install\` in the repository.`,
    )
  }
  const jar = await buildStandIn(folder)
  const [storagePort, hubPort, loggingPort] = await freePorts(3)
  const project = join(folder, 'project')
  const config = join(folder, 'config')
  const temporary = join(folder, 'tmp')
  await mkdir(project)
  await mkdir(temporary)
  await mkdir(join(config, 'configstore'), { recursive: true })
  await writeFile(
    join(project, 'firebase.json'),
    JSON.stringify({
      storage: { rules: 'storage.rules' },
      emulators: {
        storage: { host: '127.0.0.1', port: storagePort },
        hub: { host: '127.0.0.1', port: hubPort },
        logging: { host: '127.0.0.1', port: loggingPort },
        ui: { enabled: false },
      },
    }),
  )
  await writeFile(join(project, 'storage.rules'), storageRules)
  // A fresh message of the day keeps the CLI from fetching one from outside.
  await writeFile(
    join(config, 'configstore', 'firebase-tools.json'),
    JSON.stringify({ motd: { fetched: Date.now() } }),
  )

  const started = performance.now()
  const child = spawn(firebaseBin, ['emulators:start', '--only', 'storage', '--project', projectId], {
    cwd: project,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: config,
      STORAGE_EMULATOR_BINARY_PATH: jar,
      NO_UPDATE_NOTIFIER: '1',
      // The hub's locator file (named after the project) and the emulator's blobs go to the temporary
      // folder: a folder of its own keeps emulators of test files running side by side apart.
      TMPDIR: temporary,
    },
  })
  // Should the test process end without stop() (vitest ends its workers with SIGTERM), the
  // emulator, in a process group of its own, would outlive it: kill the group first.
  const killGroup = () => {
    signalGroup(child, 'SIGKILL')
    rmSync(folder, { recursive: true, force: true })
  }
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup()
    // Listening to the signal cancelled its default action (ending the process): restore it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }
  process.once('exit', killGroup)
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  const stop = async () => {
    process.off('exit', killGroup)
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    await stopGroup(child)
    await rm(folder, { recursive: true, force: true })
  }
  try {
    await waitUntilReady(child)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    endpoint: `http://127.0.0.1:${storagePort}`,
    projectId,
    startupMs: Math.round(performance.now() - started),
    stop,
  }
}

/** Compiles the rules-runtime stand-in into `<folder>/rules-stand-in.jar` (the emulator runs `java -jar <it> serve`). */
async function buildStandIn(folder: string): Promise<string> {
  const classes = join(folder, 'classes')
  const manifest = join(folder, 'manifest.txt')
  const jar = join(folder, 'rules-stand-in.jar')
  await writeFile(manifest, 'Main-Class: RulesStandIn\n')
  try {
    await run('javac', ['-d', classes, standInSource])
    await run('jar', ['cfm', jar, manifest, '-C', classes, '.'])
  } catch (cause) {
    throw new Error(
      'The GCS tests build a stand-in for the emulator’s rules runtime with javac and jar, and run it with java: ' +
        'install a JDK 17 (e.g. `apt-get install openjdk-17-jdk-headless`). ' +
        `Build failed: ${(cause as Error).message}`,
      { cause },
    )
  }
  return jar
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    let settled = false
    const settle = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      // From here on the emulator's output is drained unread, so its pipes never fill up.
      child.stdout?.removeAllListeners('data').resume()
      child.stderr?.removeAllListeners('data').resume()
      if (error === undefined) resolve()
      else reject(error)
    }
    const fail = (why: string) =>
      settle(
        new Error(
          `The Firebase Storage emulator ${why}. It needs firebase-tools 13 (\`pnpm install\`) and Java 17 on the PATH. ` +
            `Its output:\n${output.slice(-3000)}`,
        ),
      )
    const timer = setTimeout(() => fail(`was not ready after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(READY)) settle()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', (error) => fail(`could not be started (${error.message})`))
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`))
  })
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (!groupAlive(child)) return
  signalGroup(child, 'SIGTERM')
  const deadline = Date.now() + STOP_TIMEOUT_MS
  while (groupAlive(child)) {
    if (Date.now() > deadline) signalGroup(child, 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** True while any process of the child's group (firebase and its java child) is alive. */
function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0)
    return true
  } catch {
    return false
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal)
  } catch {
    // The group is already gone.
  }
}

/** Ports the OS reports free on 127.0.0.1 (held together, so they differ). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer())
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => {
            const address = server.address()
            resolve(typeof address === 'object' && address !== null ? address.port : 0)
          })
        }),
    ),
  )
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}
