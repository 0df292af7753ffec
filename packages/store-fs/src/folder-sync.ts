import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { isAbsent } from './errors.ts'

/** The flush of one folder in progress, and the one queued behind it. */
interface FolderFlush {
  running?: Promise<void>
  queued?: Promise<void>
}

/** Flushes one folder's entries to the disk; tests replace it to watch the flushes (see `replaceFolderFsync`). */
type FolderFsync = (folder: string) => Promise<void>

// Per process, by absolute path: stores of one process that share a folder share its flushes too.
const flushes = new Map<string, FolderFlush>()

/**
 * The durability rule for folders: a write resolves only once every folder on
 * its path is on the disk as an entry of its parent, not only its own folder.
 * A folder is noted here (by absolute path, per process) when a write of this
 * process is about to make it and again once mkdir made it or said EEXIST
 * (another writer made it a moment ago and may not have flushed its parent
 * yet); every write, after writing its temporary file, flushes the parent of
 * each noted folder on its path (`flushNewFolders`), whoever made it, so a
 * writer landing in a folder another writer has just made never resolves
 * before that folder's entry is flushed. The note is dropped by a flush that
 * started after it was last noted. A folder another process made, and that
 * this process's open found without a mkdir, is trusted to be that process's
 * to flush.
 */
const newFolders = new Map<string, object>()

type FsyncReplacement = (folder: string, fsync: FolderFsync) => Promise<void>

let replacement: FsyncReplacement | undefined

/**
 * For tests only (not exported by the package): replaces the fsync of a
 * folder by `replacement`, which receives the real one to call; `undefined`
 * restores it.
 */
export function replaceFolderFsync(replaceBy: FsyncReplacement | undefined): void {
  replacement = replaceBy
}

function fsyncFolder(folder: string, real: FolderFsync = fsyncFolderEntries): Promise<void> {
  return replacement ? replacement(folder, real) : real(folder)
}

/** Flushes of folders through handles kept open (see `keepFolderHandles`). */
export interface KeptFolderHandles {
  /** Flushes the entries of `folder` (a folder that is gone holds nothing: it resolves); fails as `flushFolder`. */
  flush(folder: string): Promise<void>
  /** Closes every handle; failures to close are not reported (nothing was written through them). */
  close(): Promise<void>
}

/**
 * For a writer that flushes the same folders again and again (the levels of
 * `createInOrder`): each folder is opened once, at its first flush, and kept
 * open until `close`, so a flush costs one fsync rather than an open, an
 * fsync and a close. Only for folders that cannot be removed and made again
 * meanwhile (the writer holds a file in each); past `limit` folders, flushes
 * open and close as `flushFolder` does.
 */
export function keepFolderHandles(limit = 256): KeptFolderHandles {
  const handles = new Map<string, Promise<FileHandle | undefined>>()
  return {
    async flush(folder) {
      if (process.platform === 'win32' || (handles.size >= limit && !handles.has(folder))) {
        return flushFolder(folder)
      }
      let opening = handles.get(folder)
      if (opening === undefined) {
        opening = open(folder, 'r').catch((error: unknown) => {
          if (isAbsent(error)) return undefined
          throw error
        })
        handles.set(folder, opening)
      }
      const handle = await opening
      if (handle !== undefined) await fsyncFolder(folder, () => handle.sync())
    },
    async close() {
      const opened = await Promise.allSettled(handles.values())
      handles.clear()
      await Promise.all(
        opened.map((result) =>
          result.status === 'fulfilled' ? result.value?.close().catch(() => undefined) : undefined,
        ),
      )
    },
  }
}

/**
 * Flushes the entries of `folder` (names created, renamed or removed in it) to
 * the disk. Resolves once an fsync of the folder that *started after this
 * call* has finished, so everything the caller did in the folder before
 * calling is durable.
 *
 * Group commit: calls made while a flush of the folder runs share the one
 * flush queued behind it, so N writes landing in one folder at once cost two
 * folder fsyncs, not N, and none resolves before a flush that covers it. A
 * folder that no longer exists (a concurrent delete removed it as empty) holds
 * nothing of the caller's: it resolves. Other failures reject every caller
 * that shared the flush, with the file system's error untranslated.
 */
export function flushFolder(folder: string): Promise<void> {
  let state = flushes.get(folder)
  if (state === undefined) {
    state = {}
    flushes.set(folder, state)
  }
  if (state.queued) return state.queued
  const running = state.running
  if (running === undefined) return start(folder, state)
  const owner = state
  const queued = running
    .catch(() => undefined)
    .then(() => {
      owner.queued = undefined
      return start(folder, owner)
    })
  state.queued = queued
  return queued
}

/** Notes `folder` as possibly not yet an entry on the disk of its parent (see `newFolders`). */
export function noteNewFolder(folder: string): void {
  newFolders.set(folder, {})
}

/**
 * Flushes the parent of every folder on the path of `folder` (itself
 * included) noted by `noteNewFolder` and not flushed since; resolves at once
 * when there is none. Fails as `flushFolder` fails.
 */
export async function flushNewFolders(folder: string): Promise<void> {
  if (newFolders.size === 0) return
  const flushing: Promise<void>[] = []
  for (let current = folder; ; current = dirname(current)) {
    const note = newFolders.get(current)
    if (note !== undefined) {
      flushing.push(
        flushFolder(dirname(current)).then(() => {
          if (newFolders.get(current) === note) newFolders.delete(current)
        }),
      )
    }
    if (dirname(current) === current) break
  }
  await Promise.all(flushing)
}

function start(folder: string, state: FolderFlush): Promise<void> {
  const run = fsyncFolder(folder).finally(() => {
    if (state.running === run) state.running = undefined
    if (state.running === undefined && state.queued === undefined && flushes.get(folder) === state)
      flushes.delete(folder)
  })
  state.running = run
  return run
}

async function fsyncFolderEntries(folder: string): Promise<void> {
  // Windows cannot open a folder to flush it; NTFS journals its entries itself.
  if (process.platform === 'win32') return
  let handle: FileHandle
  try {
    handle = await open(folder, 'r')
  } catch (error) {
    if (isAbsent(error)) return
    throw error
  }
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
