import { randomBytes } from 'node:crypto'
import type { Stats } from 'node:fs'
import { type FileHandle, link, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  forEachLimited,
  type Store,
  type StoreCapabilities,
  VarveError,
  validateKey,
  validatePrefix,
  validateRange,
} from '@varve/core'
import { createLevels, folderMaker, type LevelWriter } from './create-levels.ts'
import {
  alreadyExists,
  errnoCode,
  type FsErrorContext,
  type FsOperation,
  folderVanished,
  isAbsent,
  keyConflict,
  noHardLinks,
  rootNotFolder,
  translateFsError,
} from './errors.ts'
import { discard, isFolder, settle, writeAll } from './file-steps.ts'
import { flushFolder, flushNewFolders, type KeptFolderHandles, noteNewFolder } from './folder-sync.ts'
import { listKeys } from './list.ts'
import { type FsStoreOptions, resolveFsStoreOptions } from './options.ts'
import { readObject, readObjectInto } from './read-object.ts'
import { STAGED_KEY, StagedFiles } from './staged-files.ts'

/** How many files `delete` removes at once. */
const deleteConcurrency = 16
/** Temporary file names: unique per process without asking for random bytes per file. */
const temporaryPrefix = `.tmp-${process.pid}-${randomBytes(6).toString('hex')}-`
let temporaryCount = 0
/** How often a write makes its folder, when a concurrent `delete` removes it as empty before the write lands in it. */
const folderAttempts = 10
/**
 * Up to this size `create` writes its temporary file without first checking
 * whether the key is taken: the link decides anyway, and the check costs a
 * file system call on every create for the sake of the rare loser.
 */
const createCheckBytes = 64 * 1024

/**
 * A store in a local folder: the object under `a/b/c` is the file `<root>/a/b/c`.
 *
 * - `put` writes a temporary dot-file beside the target and renames it over the
 *   target, so readers see the old bytes or the new, never a mix.
 * - `create` writes a temporary dot-file and hard-links it to the target, which
 *   the OS refuses when the target exists: atomic across processes sharing the
 *   folder (`capabilities.atomicCreate`). The losers get `AlreadyExists`.
 * - `createInOrder` writes and flushes the temporary files of every level in
 *   the staging folder `<root>/.staging`, several at once and ahead of the
 *   landing, and links each file into place as soon as its level's turn has
 *   come; a level's turn ends with one flush of each folder it linked into
 *   (and of the parents of new folders), so the next level's links come only
 *   once everything before is on the disk.
 * - With `fsync` (the default) a write resolves once the file and its folder
 *   entry are on the disk, and each new folder on its path as an entry of its
 *   parent (see `noteNewFolder`). Writes landing in one folder at once share
 *   its flushes (see `flushFolder`).
 * - `delete` removes the folders it leaves empty (never the root).
 * - A process killed mid-write may leave a temporary dot-file behind (beside the
 *   target, or in the staging folder); it is never listed nor read, and may be
 *   removed at any time when no writer runs.
 *
 * Throws `InvalidArgument` for bad options (see {@link FsStoreOptions}). The
 * operations throw `InvalidKey` for keys that break the key rules (no key can
 * leave the root), `AlreadyExists` from `create`, `PermissionDenied`,
 * `Transient` or `StoreFailure` for file system failures, with the cause
 * attached, and `Unsupported` where an object and a key below it (`a` and `a/b`)
 * would need a file and a folder of the same name.
 */
export function createFsStore(options: FsStoreOptions): Store {
  const { root, description, fsync } = resolveFsStoreOptions(options)
  const capabilities: StoreCapabilities = Object.freeze({ atomicCreate: true, rangeRead: true })
  const pathOf = (key: string) => join(root, ...key.split('/'))
  const context = (operation: FsOperation, key: string): FsErrorContext => ({ operation, key, description })
  // Where createInOrder writes its files before linking them into place (never a key: keys start with no dot).
  const staging = join(root, '.staging')

  /**
   * Writes the bytes to a new temporary file in `folder` (created as needed)
   * and returns its path. With `keepOpen` (ignored on Windows, which cannot
   * rename an open file) it also returns the file's handle, still open, for
   * the caller to close while it renames or links the file: one round trip
   * fewer on the way to a durable write. With `leaveNewFolders`, the new
   * folders on the path are left for the caller to flush (`flushNewFolders`).
   */
  async function writeTemporary(
    folder: string,
    bytes: Uint8Array,
    where: FsErrorContext,
    { keepOpen = false, leaveNewFolders = false } = {},
  ): Promise<{ temporary: string; handle?: FileHandle }> {
    for (let attempt = 1; ; attempt++) {
      const temporary = join(folder, `${temporaryPrefix}${++temporaryCount}`)
      let handle: FileHandle
      try {
        handle = await open(temporary, 'wx')
      } catch (error) {
        // Missing folder: first write there, or a concurrent delete removed it as empty.
        if (errnoCode(error) === 'ENOENT') {
          if (attempt === folderAttempts) throw folderVanished(where, folderAttempts - 1, error)
          await makeFolders(folder, where)
          continue
        }
        throw errnoCode(error) === 'ENOTDIR' ? await conflict(where, error) : translateFsError(error, where)
      }
      const leaveOpen = keepOpen && process.platform !== 'win32'
      try {
        try {
          await writeAll(handle, bytes)
          if (fsync) await handle.sync()
        } finally {
          if (!leaveOpen) await handle.close()
        }
        // New folders on the path, ours or another writer's, reach their parents' entries on the disk
        // (see newFolders in folder-sync.ts); the temporary file keeps them from being removed as empty.
        if (fsync && !leaveNewFolders) await flushNewFolders(folder)
      } catch (error) {
        if (leaveOpen) await handle.close().catch(() => undefined)
        await discard(temporary)
        throw translateFsError(error, where)
      }
      return leaveOpen ? { temporary, handle } : { temporary }
    }
  }

  const staged = new StagedFiles(discard)

  /** What `createInOrder` writes through (see create-levels.ts). */
  const levelWriter: LevelWriter = {
    fsync,
    staging,
    staged,
    context,
    pathOf,
    checkBytes,
    linkInto,
    flushKept,
    flushNewFoldersOf,
    folderReady: folderMaker(makeFolders),
    writeTemporary: (folder, bytes, where) => writeTemporary(folder, bytes, where, { leaveNewFolders: true }),
  }

  /** Closes a handle `writeTemporary` left open; its failure is translated, for `settle`. */
  function closing(handle: FileHandle | undefined, where: FsErrorContext): Promise<void> | undefined {
    return handle?.close().catch((error: unknown) => {
      throw translateFsError(error, where)
    })
  }

  /**
   * Creates `folder` and its missing parents, noting each one it makes or finds just made as new (see
   * `noteNewFolder`). (Not `mkdir({ recursive: true })`: it spins forever where mkdir reports ENOENT for a
   * folder whose parent exists, as under /proc.)
   */
  async function makeFolders(folder: string, where: FsErrorContext): Promise<void> {
    // The folders to make once their parent exists, deepest first.
    const missing: string[] = []
    for (let current = folder; ; current = dirname(current)) {
      const error = await makeFolder(current)
      if (error === undefined) break
      const code = errnoCode(error)
      if (code === 'ENOENT' && dirname(current) !== current) {
        missing.push(current)
        continue
      }
      throw code === 'ENOTDIR' ? await conflict(where, error) : translateFsError(error, where)
    }
    for (const current of missing.reverse()) {
      const error = await makeFolder(current)
      if (error === undefined) continue
      const code = errnoCode(error)
      // A concurrent delete removed a parent we made: the caller's retry makes it again.
      if (code === 'ENOENT') return
      throw code === 'ENOTDIR' ? await conflict(where, error) : translateFsError(error, where)
    }
  }

  /**
   * mkdir of one folder, noted as new (see `noteNewFolder`) when made or found made (EEXIST); resolves to
   * mkdir's other errors.
   */
  async function makeFolder(folder: string): Promise<unknown> {
    // Noted before too: a concurrent write of this process may find the folder before this mkdir's answer comes back.
    if (fsync) noteNewFolder(folder)
    try {
      await mkdir(folder)
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') return error
    }
    if (fsync) noteNewFolder(folder)
    return undefined
  }

  /**
   * Hard-links the file `temporary` to `target`, making the target's folder
   * (noted as new, see `noteNewFolder`) when it is missing: true when linked,
   * false when the target was taken.
   */
  async function linkInto(temporary: string, target: string, where: FsErrorContext): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await link(temporary, target)
        return true
      } catch (error) {
        const code = errnoCode(error)
        if (code === 'EEXIST' && !(await isFolder(target))) return false
        // Missing folder: first object there, or a concurrent delete removed it as empty.
        if (code !== 'ENOENT' || attempt === folderAttempts) {
          throw code === 'ENOENT'
            ? folderVanished(where, folderAttempts - 1, error)
            : await createFailure(error, target, where)
        }
        await makeFolders(dirname(target), where)
      }
    }
  }

  /** The error when a file stands where a folder is needed: a key conflict, or a root that is not a folder. */
  async function conflict(where: FsErrorContext, cause: unknown): Promise<VarveError> {
    return (await isFolder(root, true)) ? keyConflict(where, cause) : rootNotFolder(where, cause)
  }

  /** Flushes the folder's entries (shared with concurrent writes there, see flushFolder). */
  async function flush(folder: string, where: FsErrorContext): Promise<void> {
    try {
      await flushFolder(folder)
    } catch (error) {
      throw translateFsError(error, where)
    }
  }

  async function flushNewFoldersOf(folder: string, where: FsErrorContext): Promise<void> {
    try {
      await flushNewFolders(folder)
    } catch (error) {
      throw translateFsError(error, where)
    }
  }

  /**
   * Flushes the folder's entries through `handles`, and those of the parents of new folders on its path
   * (see flushNewFolders).
   */
  async function flushKept(handles: KeptFolderHandles, folder: string, where: FsErrorContext): Promise<void> {
    try {
      await Promise.all([handles.flush(folder), flushNewFolders(folder)])
    } catch (error) {
      throw translateFsError(error, where)
    }
  }

  /** Removes the now empty folders from `folder` up to, not including, the root. */
  async function pruneFolders(folder: string, where: FsErrorContext): Promise<void> {
    // A concurrent write into a removed folder recreates it (see writeTemporary);
    // a folder holding a write's temporary file is not empty, so it stays.
    for (let current = folder; current.length > root.length; current = dirname(current)) {
      try {
        await rmdir(current)
      } catch (error) {
        const code = errnoCode(error)
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || isAbsent(error)) return
        throw translateFsError(error, where)
      }
    }
  }

  async function refuseExisting(target: string, where: FsErrorContext): Promise<void> {
    let stats: Stats
    try {
      stats = await lstat(target)
    } catch (error) {
      if (isAbsent(error)) return
      throw translateFsError(error, where)
    }
    throw stats.isDirectory() ? keyConflict(where, undefined) : alreadyExists(where)
  }

  async function createFailure(error: unknown, target: string, where: FsErrorContext): Promise<VarveError> {
    const code = errnoCode(error)
    if (code === 'EEXIST' && (await isFolder(target))) return keyConflict(where, error)
    if (code === 'ENOTDIR') return await conflict(where, error)
    // We own the temporary file and may write the folder, so a refusal here means no hard links.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return noHardLinks(where, error)
    return translateFsError(error, where)
  }

  function checkBytes(bytes: Uint8Array, where: FsErrorContext): void {
    if (bytes instanceof Uint8Array) return
    throw new VarveError(
      'InvalidArgument',
      `Could not ${where.operation} ${JSON.stringify(where.key)} in ${description}: the bytes must be a ` +
        `Uint8Array (a Buffer is one), got ${bytes === null ? 'null' : typeof bytes}.`,
      { details: { key: where.key } },
    )
  }

  return {
    description,
    capabilities,

    async get(key) {
      return readObject(pathOf(validateKey(key)), undefined, (error) =>
        translateFsError(error, context('get', key)),
      )
    },

    async readInto(key, target) {
      return readObjectInto(pathOf(validateKey(key)), target, (error) =>
        translateFsError(error, context('get', key)),
      )
    },

    async getRange(key, range) {
      validateRange(range)
      return readObject(pathOf(validateKey(key)), range, (error) =>
        translateFsError(error, context('getRange', key)),
      )
    },

    async put(key, bytes) {
      const where = context('put', validateKey(key))
      checkBytes(bytes, where)
      const target = pathOf(key)
      const folder = dirname(target)
      const { temporary, handle } = await writeTemporary(folder, bytes, where, { keepOpen: true })
      const closed = closing(handle, where)
      try {
        await rename(temporary, target)
      } catch (error) {
        await closed?.catch(() => undefined)
        await discard(temporary)
        const code = errnoCode(error)
        throw code === 'EISDIR' || code === 'ENOTEMPTY'
          ? keyConflict(where, error)
          : translateFsError(error, where)
      }
      await settle([closed, fsync ? flush(folder, where) : undefined])
    },

    async create(key, bytes) {
      const where = context('create', validateKey(key))
      checkBytes(bytes, where)
      const target = pathOf(key)
      const folder = dirname(target)
      // Spares writing a large object when the key is plainly taken; the link below decides races.
      if (bytes.length > createCheckBytes) await refuseExisting(target, where)
      const { temporary, handle } = await writeTemporary(folder, bytes, where, { keepOpen: true })
      const closed = closing(handle, where)
      try {
        // link() fails with EEXIST when the target exists, atomically: exactly one racer wins.
        await link(temporary, target)
      } catch (error) {
        await closed?.catch(() => undefined)
        await discard(temporary)
        throw await createFailure(error, target, where)
      }
      // The link is what must reach the disk; the temporary name may go before or after the flush.
      const removal = unlink(temporary).catch((error) => {
        throw translateFsError(error, where)
      })
      await settle([fsync ? flush(folder, where) : undefined, removal, closed])
    },

    createInOrder(levels, options = {}) {
      return createLevels(levelWriter, levels, options)
    },

    stage(bytes) {
      const where = context('create', STAGED_KEY)
      checkBytes(bytes, where)
      const written = writeTemporary(staging, bytes, where, { leaveNewFolders: true })
      return staged.add(
        bytes,
        written.then(({ temporary }) => temporary),
      )
    },

    async *list(prefix) {
      validatePrefix(prefix)
      yield* listKeys(root, prefix, (error) => translateFsError(error, context('list', prefix)))
    },

    async delete(keys) {
      for (const key of keys) validateKey(key)
      // The folders emptied, each pruned once after all its files went (a squash deletes many in one).
      const emptied = new Map<string, FsErrorContext>()
      await forEachLimited([...new Set(keys)], deleteConcurrency, async (key) => {
        const where = context('delete', key)
        const path = pathOf(key)
        try {
          await unlink(path)
        } catch (error) {
          if (isAbsent(error)) return
          // A folder stands where the object would be (unlink says EISDIR on Linux, EPERM on macOS): no object.
          const code = errnoCode(error)
          if ((code === 'EISDIR' || code === 'EPERM') && (await isFolder(path))) return
          throw translateFsError(error, where)
        }
        emptied.set(dirname(path), where)
      })
      await forEachLimited([...emptied], deleteConcurrency, ([folder, where]) => pruneFolders(folder, where))
    },
  }
}
