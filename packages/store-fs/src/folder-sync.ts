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

let fsyncFolder: FolderFsync = fsyncFolderEntries

/**
 * For tests only (not exported by the package): replaces the fsync of a
 * folder by `replacement`, which receives the real one to call; `undefined`
 * restores it.
 */
export function replaceFolderFsync(
  replacement: ((folder: string, fsync: FolderFsync) => Promise<void>) | undefined,
): void {
  fsyncFolder = replacement ? (folder) => replacement(folder, fsyncFolderEntries) : fsyncFolderEntries
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
