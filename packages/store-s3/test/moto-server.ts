import { spawnSync } from 'node:child_process'
import { type ServerProcess, startServerProcess } from './server-process.ts'

export const installMoto =
  "Install moto with `python3 -m pip install 'moto[server]==5.2.1'` (for the python3 on PATH)."

/** True when the python3 on PATH can import moto's server. */
export function motoInstalled(): boolean {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' })
  return probe.error === undefined && probe.status === 0
}

export interface MotoOptions {
  /** Check credentials: every request after the first `freeActions` needs a key moto's IAM knows. Default off. */
  readonly authenticate?: { readonly freeActions: number }
}

/** Starts `python3 -m moto.server -H 127.0.0.1 -p 0` (a free port; moto prints it). */
export function startMoto(options: MotoOptions = {}): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' }
  if (options.authenticate) env.INITIAL_NO_AUTH_ACTION_COUNT = String(options.authenticate.freeActions)
  return startServerProcess({
    name: 'moto',
    command: 'python3',
    args: ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'],
    env,
    ready: /Running on http:\/\/127\.0\.0\.1:(\d+)/,
    install: installMoto,
  })
}
