import { type SyncProgress, VarveError } from '@varve/core'
import { SingleBar } from 'cli-progress'
import { formatBytes } from './format.ts'

/** How long operations show progress: a bar (a terminal), lines (logs, pipes) or nothing. */
export type ProgressMode = 'bar' | 'lines' | 'none'

/** `auto` is a bar when stderr is a terminal, lines otherwise; from `--progress` or VARVE_PROGRESS. */
export function progressMode(requested: string | undefined, stderrIsTty: boolean): ProgressMode {
  if (requested === undefined || requested === 'auto') return stderrIsTty ? 'bar' : 'lines'
  if (requested === 'bar' || requested === 'lines' || requested === 'none') return requested
  throw new VarveError(
    'InvalidArgument',
    `Unknown progress mode "${requested}" (VARVE_PROGRESS or --progress); the modes are auto, bar, lines, none.`,
  )
}

/** A count of units moving towards a total, shown on stderr as a bar or as plain lines. */
export interface Progress {
  /** Sets how far the task is; `total` may grow as it is discovered. */
  update(done: number, total: number, bytes?: { done: number; total: number }): void
  /** Ends the bar (or prints the last line). */
  stop(): void
}

// Lines are printed at every 5% step, so a log holds about 20 lines per task whatever its size.
const LINE_STEP = 5

/** One task's progress, e.g. `push temperature`, counting `unit`s (`bytes`: shown as bytes only). */
export function createProgress(mode: ProgressMode, title: string, unit: string): Progress {
  if (mode === 'none') return { update() {}, stop() {} }
  if (mode === 'lines') return lineProgress(title, unit)
  const counts = unit === 'bytes' ? '' : ` {value}/{total} ${unit}`
  const bar = new SingleBar({
    format: `${title} |{bar}| {percentage}%${counts} {bytes} {rate} eta {eta_formatted}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    etaBuffer: 50,
    fps: 10,
    stream: process.stderr,
  })
  const started = Date.now()
  let running = false
  return {
    update(done, total, bytes) {
      const seconds = (Date.now() - started) / 1000
      const payload = {
        bytes: bytes ? `${formatBytes(bytes.done)}/${formatBytes(bytes.total)}` : '',
        rate: bytes && seconds > 0 ? `${formatBytes(bytes.done / seconds)}/s` : '',
      }
      if (!running) {
        bar.start(total, done, payload)
        running = true
      } else {
        bar.setTotal(total)
        bar.update(done, payload)
      }
    },
    stop() {
      if (running) bar.stop()
      running = false
    },
  }
}

function lineProgress(title: string, unit: string): Progress {
  let shownStep = -1
  let last = ''
  const line = (done: number, total: number, bytes?: { done: number; total: number }) => {
    const counts = unit === 'bytes' ? [] : [`${done}/${total} ${unit}`]
    if (bytes) counts.push(`${formatBytes(bytes.done)}/${formatBytes(bytes.total)}`)
    return `${title}: ${counts.join(', ')} (${percent(done, total)}%)`
  }
  return {
    update(done, total, bytes) {
      last = line(done, total, bytes)
      const step = Math.floor(percent(done, total) / LINE_STEP)
      if (step !== shownStep) {
        shownStep = step
        process.stderr.write(`${last}\n`)
      }
    },
    stop() {
      if (shownStep * LINE_STEP !== 100 && last !== '') process.stderr.write(`${last}\n`)
    },
  }
}

function percent(done: number, total: number): number {
  return total === 0 ? 100 : Math.floor((done / total) * 100)
}

/** Turns a push, pull or clone's progress events into one bar per collection. */
export function syncProgress(
  mode: ProgressMode,
  verb: string,
): {
  onProgress: (event: SyncProgress) => void
  stop: () => void
} {
  let current: { collection: string; progress: Progress } | undefined
  return {
    onProgress(event) {
      if (current?.collection !== event.collection) {
        current?.progress.stop()
        current = {
          collection: event.collection,
          progress: createProgress(mode, `${verb} ${event.collection}`, 'objects'),
        }
      }
      // bytesTotal counts the data objects only; revisions add to bytesDone past it.
      current.progress.update(event.objectsDone, event.objectsTotal, {
        done: event.bytesDone,
        total: Math.max(event.bytesTotal, event.bytesDone),
      })
    },
    stop() {
      current?.progress.stop()
      current = undefined
    },
  }
}
