import { type FileHandle, lstat, rm, stat } from 'node:fs/promises'

/** Waits for every step; then throws the first failure, in the order given. */
export async function settle(steps: readonly (Promise<void> | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(steps)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** Writes every byte at the start of a new file: one call where the OS takes it all at once. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written)
    written += bytesWritten
  }
}

/** True when `path` is a folder; with `follow`, also a symbolic link to one. */
export async function isFolder(path: string, follow = false): Promise<boolean> {
  try {
    return (await (follow ? stat(path) : lstat(path))).isDirectory()
  } catch {
    return false
  }
}

/**
 * Removes a temporary file after a failed write. Its own failure is not
 * reported: the write's error is the one that matters, and a leftover
 * temporary file is harmless (never listed nor read).
 */
export async function discard(temporary: string): Promise<void> {
  await rm(temporary, { force: true }).catch(() => undefined)
}
