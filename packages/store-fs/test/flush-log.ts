import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { replaceFolderFsync } from '../src/folder-sync.ts'

/**
 * What happened, in order. A flush's `entries` are the files and folders under
 * the logged folder when it started (before its fsync) or ended (after it): a name
 * there at the start was renamed or linked before the flush began; a name
 * missing at the end appeared only after the flush was over.
 */
export type FlushEvent =
  | { kind: 'start' | 'end'; flush: number; folder: string; entries: readonly string[] }
  | { kind: 'resolve' | 'landed'; key: string }

export interface FlushLog {
  readonly events: FlushEvent[]
  /** Logs `resolve` for `key` once `write` resolves. */
  resolved(key: string, write: Promise<unknown>): Promise<void>
  /** Resolves when a flush of `folder` starts. */
  started(folder: string): Promise<void>
  /** Where the event of `kind` for `key` stands in the log (-1: not there). */
  indexOf(kind: 'resolve' | 'landed', key: string): number
  /**
   * Where the first flush of `folder` that started with `entry` under the logged folder
   * (and, given `absent`, ended without it) ended: a write that needs `entry`
   * durable may resolve only after this index. -1 when no flush covers it.
   */
  coveredAt(folder: string, entry: string, absent?: string): number
  /**
   * Where `path` (relative to the logged folder) and every folder on the way
   * to it had each been covered by a flush of its parent (the latest of their
   * `coveredAt`); infinity when one of them never was.
   */
  durableAt(path: string): number
  /** Puts the real folder fsync back. */
  stop(): void
}

/**
 * Replaces the folder fsync of store-fs (for every store of this process) by
 * one that logs each flush around the real fsync, with the entries under
 * `base`, taking `delay` ms more for the folder `slow`.
 */
export function logFlushes(base: string, slow?: { folder: string; delay: number }): FlushLog {
  const events: FlushEvent[] = []
  const waiting: { folder: string; resolve: () => void }[] = []
  let flushes = 0
  const entries = () =>
    readdirSync(base, { recursive: true, withFileTypes: true })
      .map((entry) => relative(base, join(entry.parentPath, entry.name)).split('\\').join('/'))
      .filter((path) => !path.split('/').some((segment) => segment.startsWith('.')))
      .sort()
  replaceFolderFsync(async (folder, fsync) => {
    const flush = ++flushes
    events.push({ kind: 'start', flush, folder, entries: entries() })
    for (const waiter of waiting.filter((w) => w.folder === folder)) {
      waiting.splice(waiting.indexOf(waiter), 1)
      waiter.resolve()
    }
    await fsync(folder)
    if (folder === slow?.folder) await sleep(slow.delay)
    events.push({ kind: 'end', flush, folder, entries: entries() })
  })
  return {
    events,
    resolved: async (key, write) => {
      await write
      events.push({ kind: 'resolve', key })
    },
    started: (folder) => new Promise((resolve) => waiting.push({ folder, resolve })),
    indexOf: (kind, key) => events.findIndex((e) => e.kind === kind && e.key === key),
    coveredAt(folder, entry, absent) {
      for (const [i, end] of events.entries()) {
        if (end.kind !== 'end' || end.folder !== folder) continue
        if (absent !== undefined && end.entries.includes(absent)) continue
        const start = events.find((e) => e.kind === 'start' && e.flush === end.flush)
        if (start?.kind === 'start' && start.entries.includes(entry)) return i
      }
      return -1
    },
    durableAt(path) {
      const segments = path.split('/')
      const ends = segments.map((_, i) =>
        this.coveredAt(join(base, ...segments.slice(0, i)), segments.slice(0, i + 1).join('/')),
      )
      return ends.includes(-1) ? Number.POSITIVE_INFINITY : Math.max(...ends)
    },
    stop: () => replaceFolderFsync(undefined),
  }
}
