import type { FileHandle } from 'node:fs/promises'
import { open, stat } from 'node:fs/promises'
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
  /** Ends this writer's use of the handles; they stay open for the next writer (see `keepFolderHandles`). */
  close(): Promise<void>
}

/** A folder handle kept open, with the identity of the folder it was opened on. */
interface KeptFolder {
  readonly handle: FileHandle
  /** The folder's device and inode, once known: a folder made again at the same path has others. */
  identity?: string
  /** The flushes through the handle that have not settled (it is closed only once none has), -1 once closed. */
  using: number
  evicted: boolean
}

/** At most this many folder handles stay open per process: a repository's 256 object folders and some more. */
const KEPT_FOLDERS = 320
/** Kept folder handles by absolute path, least recently used first (a Map keeps insertion order). */
const kept = new Map<string, Promise<KeptFolder | undefined>>()

/**
 * For writers that flush the same folders again and again (the levels of
 * `createInOrder`, commit after commit): each folder is opened at its first
 * flush and kept open, per process, for later flushes (at most
 * `KEPT_FOLDERS`, the least recently used closed first), so a flush costs one
 * fsync rather than an open, an fsync and a close. A folder can be removed
 * (a delete prunes empty folders) and made again at the same path while its
 * handle is kept, and a flush through the old handle would flush a folder no
 * longer there: so a flush through a handle kept from before also stats the
 * path, at the same time as the fsync, and when the path names another
 * folder, it flushes again through a new handle. That is enough because a
 * caller flushes a folder only after it placed an entry in it: if the path
 * still names the kept folder after the entry was placed, the folder was
 * there all along (folders are never renamed, and a removed one never comes
 * back), so the entry is in it.
 */
export function keepFolderHandles(): KeptFolderHandles {
  return {
    flush: flushKeptFolder,
    close: async () => undefined,
  }
}

async function flushKeptFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return flushFolder(folder)
  let opening = kept.get(folder)
  const reused = opening !== undefined
  if (opening === undefined) opening = openKept(folder)
  else {
    kept.delete(folder)
    kept.set(folder, opening)
  }
  const folderHandle = await opening
  // Gone when it was opened: holds nothing of the caller's (and is not kept, see openKept).
  if (folderHandle === undefined) return
  // Closed meanwhile (evicted while this flush waited for the open): a plain flush.
  if (folderHandle.using < 0) return flushFolder(folder)
  folderHandle.using++
  let same: boolean
  try {
    const fsync = fsyncFolder(folder, () => folderHandle.handle.sync())
    if (!reused) {
      await Promise.all([fsync, noteIdentity(folderHandle)])
      return
    }
    const [, now] = await Promise.all([fsync, identityOf(folder)])
    same = now !== undefined && now === folderHandle.identity
  } finally {
    release(folderHandle)
  }
  if (same) return
  // Another folder at the path now, or none: the handle is dropped and the path flushed afresh.
  if (kept.get(folder) === opening) {
    kept.delete(folder)
    evict(folderHandle)
  }
  await flushKeptFolder(folder)
}

function openKept(folder: string): Promise<KeptFolder | undefined> {
  const opening = open(folder, 'r').then(
    (handle): KeptFolder => ({ handle, using: 0, evicted: false }),
    (error: unknown) => {
      if (isAbsent(error)) return undefined
      throw error
    },
  )
  kept.set(folder, opening)
  // A failed open, or a folder missing, is not kept: the next flush opens again.
  const forget = () => {
    if (kept.get(folder) === opening) kept.delete(folder)
  }
  opening.then((folderHandle) => folderHandle ?? forget(), forget)
  while (kept.size > KEPT_FOLDERS) {
    const [oldest, entry] = kept.entries().next().value!
    kept.delete(oldest)
    entry.then(
      (folderHandle) => folderHandle && evict(folderHandle),
      () => undefined,
    )
  }
  return opening
}

/** Marks a kept handle dropped from the cache: it is closed once no flush uses it. */
function evict(folderHandle: KeptFolder): void {
  folderHandle.evicted = true
  release(folderHandle, false)
}

/** Ends one use of a kept handle (none with `ending` false); closes it once evicted and unused. */
function release(folderHandle: KeptFolder, ending = true): void {
  if (ending) folderHandle.using--
  if (folderHandle.evicted && folderHandle.using === 0) {
    folderHandle.using = -1
    // Nothing was written through the handle: a failure to close loses nothing.
    folderHandle.handle.close().catch(() => undefined)
  }
}

async function noteIdentity(folderHandle: KeptFolder): Promise<void> {
  const stats = await folderHandle.handle.stat()
  folderHandle.identity = `${stats.dev}:${stats.ino}`
}

/** The device and inode of the folder at `path` now, or undefined when there is none. */
async function identityOf(path: string): Promise<string | undefined> {
  try {
    const stats = await stat(path)
    return `${stats.dev}:${stats.ino}`
  } catch (error) {
    if (isAbsent(error)) return undefined
    throw error
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
