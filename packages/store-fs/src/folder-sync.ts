import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { isAbsent } from './errors.ts'

/** The flush of one folder in progress, and the one queued behind it. */
interface FolderFlush {
  running?: Promise<void>
  queued?: Promise<void>
}

// Per process, by absolute path: stores of one process that share a folder share its flushes too.
const flushes = new Map<string, FolderFlush>()

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
  // Windows cannot open a folder to flush it; NTFS journals its entries itself.
  if (process.platform === 'win32') return Promise.resolve()
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

function start(folder: string, state: FolderFlush): Promise<void> {
  const run = fsyncFolder(folder).finally(() => {
    if (state.running === run) state.running = undefined
    if (state.running === undefined && state.queued === undefined && flushes.get(folder) === state)
      flushes.delete(folder)
  })
  state.running = run
  return run
}

async function fsyncFolder(folder: string): Promise<void> {
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
