import { fileURLToPath } from 'node:url'
import { type ServerProcess, startServerProcess } from './server-process.ts'

// From code, on 127.0.0.1 only: fauxqs's CLI binds 0.0.0.0 (EMULATORS.md).
const script = `
import { buildApp } from 'fauxqs'
const app = buildApp({ logger: false })
const address = await app.listen({ host: '127.0.0.1', port: 0 })
console.log('fauxqs listening on ' + address)
process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
`

/** Starts fauxqs (npm, a devDependency of this package) as its own Node process, on a free port. */
export function startFauxqs(): Promise<ServerProcess> {
  return startServerProcess({
    name: 'fauxqs',
    command: process.execPath,
    args: ['--input-type=module', '--eval', script],
    // --eval resolves 'fauxqs' from the working folder: this package, which depends on it.
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    ready: /fauxqs listening on http:\/\/127\.0\.0\.1:(\d+)/,
    install: 'Run `pnpm install` in the repository (fauxqs@1.9.2 is a devDependency of @varve/store-s3).',
  })
}
