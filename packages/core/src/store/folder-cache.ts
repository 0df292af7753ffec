import { randomBytes } from 'node:crypto'
import type { Dirent } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { VarveError } from '../errors/varve-error.ts'
import { decodeCacheFile, encodeCacheFile } from './cache-file.ts'
import { keyProblem } from './keys.ts'

/** A temporary file this old was left by a process that died mid-write (a live write takes far less). */
const STALE_TEMP_MS = 60 * 60 * 1000
const TEMP_FILE = /^\.vrc-[0-9a-f]+\.tmp$/

interface FoundFile {
  readonly key: string
  readonly size: number
  readonly mtimeMs: number
}

/**
 * The files of a folder cache: one file per key, at the key's path under the
 * folder, bounded in bytes with the least recently used evicted first.
 *
 * Recency is tracked in memory; at open, files are ordered by modification time
 * (the time they were written). Several processes may share the folder: each
 * bounds the files it knows of (those it found at open, wrote or read), and a
 * file that vanishes underneath is a miss. Writes go to a temporary dot-file
 * renamed into place, so a reader sees a whole file or none; no fsync, as a
 * file lost to a crash is only a miss.
 *
 * Nothing here throws once the cache is open: a file that cannot be read,
 * written or removed is counted in `failures` (the latest kept in
 * `lastFailure`) and the caller goes on through its store.
 */
export class FolderCache {
  /** The folder, as an absolute path. */
  readonly root: string
  readonly maxBytes: number
  // A Map iterates in insertion order, and a touch re-inserts: the least recently used come first.
  readonly #sizes = new Map<string, number>()
  #bytes = 0
  /** The last operation queued on each key's file: operations on one file run one at a time, in order. */
  readonly #queues = new Map<string, Promise<void>>()
  #failures = 0
  #lastFailure: VarveError | undefined

  private constructor(root: string, maxBytes: number) {
    this.root = root
    this.maxBytes = maxBytes
  }

  /**
   * Creates the folder when absent and takes stock of the files in it, evicting
   * the oldest beyond `maxBytes`; temporary files older than an hour are
   * removed. Throws `PermissionDenied` when the folder cannot be created or
   * read, `InvalidArgument` when the path is not a folder, `StoreFailure` otherwise.
   */
  static async open(folder: string, maxBytes: number): Promise<FolderCache> {
    const cache = new FolderCache(resolve(folder), maxBytes)
    const found: FoundFile[] = []
    try {
      await mkdir(cache.root, { recursive: true })
      await cache.#scan(cache.root, [], found)
    } catch (cause) {
      throw openFailure(cache.root, cause)
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs)
    for (const file of found) cache.#touch(file.key, file.size)
    await cache.#evict()
    return cache
  }

  /** Bytes of the files known (headers included). */
  get bytes(): number {
    return this.#bytes
  }

  /** Files known. */
  get entries(): number {
    return this.#sizes.size
  }

  /** Files found unreadable, truncated or damaged, and files that could not be written or removed. */
  get failures(): number {
    return this.#failures
  }

  get lastFailure(): VarveError | undefined {
    return this.#lastFailure
  }

  /**
   * The object cached under `key` (a valid key), or undefined. An absent file is
   * a miss; so is one that cannot be read, or is truncated, damaged or holds
   * another key: such a file is counted as a failure and removed.
   */
  async read(key: string): Promise<Uint8Array | undefined> {
    let file: Buffer
    try {
      file = await readFile(this.#path(key))
    } catch (cause) {
      // A write under way may be about to put the file there: it keeps the count right itself.
      if (!this.#queues.has(key)) this.#forget(key)
      if (!isMissing(cause)) this.#fail(key, 'read', cause)
      return undefined
    }
    const decoded = decodeCacheFile(key, new Uint8Array(file.buffer, file.byteOffset, file.byteLength))
    if ('problem' in decoded) {
      this.#fail(key, 'use', new Error(`the file is not a sound copy: ${decoded.problem}`))
      await this.remove([key])
      return undefined
    }
    this.#touch(key, file.length)
    await this.#evict()
    return decoded.bytes
  }

  /**
   * Writes `bytes` as the cached copy of `key` (a valid key), replacing any.
   * When the write's turn comes, `current()` is asked again: if it says the
   * bytes may be out of date, the copy is removed instead. An object whose file
   * would exceed `maxBytes` is not kept.
   */
  async write(key: string, bytes: Uint8Array, current: () => boolean = () => true): Promise<void> {
    // Encoded now: the caller may reuse its buffer once this returns.
    const file = encodeCacheFile(key, bytes)
    await this.#queue(key, 'write', async () => {
      if (current() && file.length <= this.maxBytes) await this.#writeFile(key, file)
      else await this.#removeFile(key)
    })
    await this.#evict()
  }

  /** Removes the cached copies of `keys` (valid keys), absent ones included. */
  async remove(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.#queue(key, 'remove', () => this.#removeFile(key))))
  }

  async #writeFile(key: string, file: Uint8Array): Promise<void> {
    const path = this.#path(key)
    for (let attempt = 1; ; attempt++) {
      // A short name: the key's own last segment may already be as long as a file name can be.
      const temp = join(dirname(path), `.vrc-${randomBytes(8).toString('hex')}.tmp`)
      try {
        await mkdir(dirname(path), { recursive: true })
        await writeFile(temp, file, { flag: 'wx' })
        await rename(temp, path)
        break
      } catch (error) {
        await rm(temp, { force: true }).catch((cleanup: unknown) => {
          throw new AggregateError([error, cleanup], `Writing ${temp}, then removing it, failed`)
        })
        // Another process removed the folder meanwhile: make it again, once.
        if (attempt > 1 || !isMissing(error)) throw error
      }
    }
    this.#touch(key, file.length)
  }

  async #removeFile(key: string): Promise<void> {
    this.#forget(key)
    await rm(this.#path(key), { force: true })
  }

  /** Evicts the least recently used files until the bytes known fit in `maxBytes`. */
  async #evict(): Promise<void> {
    const victims: string[] = []
    for (const key of this.#sizes.keys()) {
      if (this.#bytes <= this.maxBytes) break
      this.#forget(key)
      victims.push(key)
    }
    await Promise.all(
      victims.map((key) =>
        this.#queue(key, 'evict', async () => {
          // Written again since it was chosen: the new file stays.
          if (!this.#sizes.has(key)) await rm(this.#path(key), { force: true })
        }),
      ),
    )
  }

  /** Runs `operation` after those queued before on `key`'s file; a failure is counted, never thrown. */
  #queue(key: string, action: string, operation: () => Promise<void>): Promise<void> {
    const run = (this.#queues.get(key) ?? Promise.resolve())
      .then(operation)
      .catch((cause: unknown) => this.#fail(key, action, cause))
    this.#queues.set(key, run)
    return run.finally(() => {
      if (this.#queues.get(key) === run) this.#queues.delete(key)
    })
  }

  #touch(key: string, size: number): void {
    this.#forget(key)
    this.#sizes.set(key, size)
    this.#bytes += size
  }

  #forget(key: string): void {
    const size = this.#sizes.get(key)
    if (size === undefined) return
    this.#sizes.delete(key)
    this.#bytes -= size
  }

  #fail(key: string, action: string, cause: unknown): void {
    this.#failures++
    const reason = cause instanceof Error ? cause.message : String(cause)
    this.#lastFailure = new VarveError(
      'StoreFailure',
      `The cache folder ${this.root} could not ${action} the copy of ${JSON.stringify(key)} (${reason}); ` +
        'the store was used instead. Check the folder is writable and has room.',
      { cause, details: { key, folder: this.root } },
    )
  }

  #path(key: string): string {
    return join(this.root, ...key.split('/'))
  }

  /** Collects the files under `dir` whose paths are valid keys; removes temporary files left by dead writers. */
  async #scan(dir: string, segments: readonly string[], found: FoundFile[]): Promise<void> {
    let entries: Dirent[]
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (error) {
      // Another process may remove a folder while this one walks it.
      if (segments.length > 0 && isMissing(error)) return
      throw error
    }
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name)
        if (entry.name.startsWith('.')) {
          if (entry.isFile() && TEMP_FILE.test(entry.name)) await removeStaleTemp(path)
          return
        }
        if (entry.isDirectory()) return this.#scan(path, [...segments, entry.name], found)
        const key = [...segments, entry.name].join('/')
        if (!entry.isFile() || keyProblem(key) !== undefined) return
        const info = await stat(path).catch(unlessMissing)
        if (info) found.push({ key, size: info.size, mtimeMs: info.mtimeMs })
      }),
    )
  }
}

async function removeStaleTemp(path: string): Promise<void> {
  const info = await stat(path).catch(unlessMissing)
  if (info && Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true })
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

function unlessMissing(error: unknown): undefined {
  if (isMissing(error)) return undefined
  throw error
}

function openFailure(root: string, cause: unknown): VarveError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  const details = { folder: root, code }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new VarveError(
      'PermissionDenied',
      `The cache folder ${root} cannot be created or read (${code}); give a folder this process may write.`,
      { cause, details },
    )
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new VarveError(
      'InvalidArgument',
      `The cache folder ${root} is not a folder (${code}); give the path of a folder, or of none yet.`,
      { cause, details },
    )
  }
  return new VarveError('StoreFailure', `The cache folder ${root} cannot be used: ${String(cause)}.`, {
    cause,
    details,
  })
}
