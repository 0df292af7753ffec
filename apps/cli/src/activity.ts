import { SingleBar } from 'cli-progress'
import type { ProgressMode } from './progress.ts'

/**
 * A task whose size is not known ahead (gc): on a terminal, a status line
 * redrawn from `status()` five times a second with the time spent; as lines,
 * the status when it starts and when it ends. `stop()` ends it.
 */
export function startActivity(mode: ProgressMode, title: string, status: () => string): { stop(): void } {
  if (mode === 'none') return { stop() {} }
  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
  if (mode === 'lines') {
    process.stderr.write(`${title}: started\n`)
    return { stop: () => process.stderr.write(`${title}: ${status()} (${elapsed()})\n`) }
  }
  const line = new SingleBar({
    format: `${title}: {status} {elapsed}`,
    hideCursor: true,
    stream: process.stderr,
    fps: 5,
  })
  line.start(1, 0, { status: status(), elapsed: elapsed() })
  const timer = setInterval(() => line.update(0, { status: status(), elapsed: elapsed() }), 200)
  return {
    stop() {
      clearInterval(timer)
      line.update(0, { status: status(), elapsed: elapsed() })
      line.stop()
    },
  }
}
