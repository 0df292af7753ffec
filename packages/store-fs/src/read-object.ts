import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import type { ByteRange } from '@varve/core'
import { errnoCode, isAbsent } from './errors.ts'

/**
 * The bytes of the file at `path` (of `range` of it), or undefined when there
 * is none (or a folder stands there): one open, one stat, reads of the known
 * size (objects are never changed in place: writes replace the file, so the
 * size holds while we read), and the close — a step fewer than `readFile`,
 * which reads a large file in 512 KiB pieces. Other failures go through `fail`.
 */
export async function readObject(
  path: string,
  range: ByteRange | undefined,
  fail: (error: unknown) => Error,
): Promise<Uint8Array | undefined> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (isAbsent(error) || errnoCode(error) === 'EISDIR') return undefined
    throw fail(error)
  }
  try {
    const stats = await handle.stat()
    if (stats.isDirectory()) return undefined
    const offset = range?.offset ?? 0
    const length = Math.max(0, Math.min(range?.length ?? stats.size, stats.size - offset))
    const bytes = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const { bytesRead } = await handle.read(bytes, filled, length - filled, offset + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled === length ? bytes : bytes.slice(0, filled)
  } catch (error) {
    throw fail(error)
  } finally {
    await handle.close()
  }
}

/**
 * Reads the start of the file at `path` into `target` (at most its length):
 * how many bytes it read, or undefined when there is no file (or a folder
 * stands there). One open, reads, and the close: no stat, as `target` bounds
 * the read. Other failures go through `fail`.
 */
export async function readObjectInto(
  path: string,
  target: Uint8Array,
  fail: (error: unknown) => Error,
): Promise<number | undefined> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (isAbsent(error) || errnoCode(error) === 'EISDIR') return undefined
    throw fail(error)
  }
  try {
    let filled = 0
    while (filled < target.length) {
      const { bytesRead } = await handle.read(target, filled, target.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled
  } catch (error) {
    // Reading a folder's handle fails (EISDIR) on Linux; elsewhere opening it did.
    if (errnoCode(error) === 'EISDIR') return undefined
    throw fail(error)
  } finally {
    await handle.close()
  }
}
