import { readdir, unlink } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import {
  type CreateEntry,
  type CreateInOrderOptions,
  forEachLimited,
  type VarveError,
  validateConcurrency,
  validateKey,
} from '@varve/core'
import { errnoCode, type FsErrorContext, translateFsError } from './errors.ts'
import { discard, settle } from './file-steps.ts'
import { type KeptFolderHandles, keepFolderHandles } from './folder-sync.ts'
import { runLevels } from './run-levels.ts'
import type { StagedFiles } from './staged-files.ts'

/** The parts of the fs store a levelled create writes through. */
export interface LevelWriter {
  readonly fsync: boolean
  /** The folder temporary files wait in until they land. */
  readonly staging: string
  readonly staged: StagedFiles
  context(operation: 'create', key: string): FsErrorContext
  pathOf(key: string): string
  checkBytes(bytes: Uint8Array, where: FsErrorContext): void
  /** Writes and flushes a temporary file in `folder`, leaving its new folders for the level's flush. */
  writeTemporary(folder: string, bytes: Uint8Array, where: FsErrorContext): Promise<{ temporary: string }>
  /** Links the temporary file to the target; false when the target was taken. */
  linkInto(temporary: string, target: string, where: FsErrorContext): Promise<boolean>
  flushKept(handles: KeptFolderHandles, folder: string, where: FsErrorContext): Promise<void>
  flushNewFoldersOf(folder: string, where: FsErrorContext): Promise<void>
  /** Makes the folder unless known to exist (see `folderMaker`). */
  folderReady(folder: string, where: FsErrorContext): Promise<void>
}

/**
 * The fs store's `createInOrder`: writes and flushes each entry's file in the
 * staging folder (or takes the file `stage` wrote), running ahead of the
 * landing; links each once every earlier level is sealed; seals a level by
 * flushing each folder it linked into once (and the parents of new folders).
 * A failure removes every temporary file and staged file it did not land.
 */
export async function createLevels(
  store: LevelWriter,
  levels: readonly (readonly CreateEntry[])[],
  options: CreateInOrderOptions,
): Promise<boolean[][]> {
  const {
    fsync,
    staging,
    staged,
    context,
    pathOf,
    checkBytes,
    writeTemporary,
    linkInto,
    flushKept,
    flushNewFoldersOf,
    folderReady,
  } = store
  const concurrency = validateConcurrency(options.concurrency)
  const wheres = levels.map((level) =>
    level.map(([key, bytes]) => {
      const where = context('create', validateKey(key))
      if (typeof bytes !== 'function') checkBytes(bytes, where)
      return where
    }),
  )
  const created = levels.map((level) => level.map(() => false))
  // Written aside and not yet linked and removed: what a failure leaves to discard.
  const temporaries = new Set<string>()
  // Per level, the folders it linked into, each with the context of one of its entries for errors.
  const folders = levels.map(() => new Map<string, FsErrorContext>())
  // Levels, and the calls after this one, flush the same folders again and again: their handles stay
  // open from one flush to the next (see keepFolderHandles for why that flushes the right folder).
  const handles = keepFolderHandles()
  // Removals of linked temporary files, off the path from one level to the next: each resolves to its failure.
  const removals: Promise<VarveError | undefined>[] = []
  try {
    await runLevels(
      levels.map((level) => level.length),
      concurrency,
      {
        prepare: async (l, i) => {
          const [key, given] = levels[l]![i]!
          const where = wheres[l]![i]!
          const written = staged.claim(given)
          await folderReady(dirname(pathOf(key)), where)
          if (written) {
            const temporary = await written
            temporaries.add(temporary)
            return temporary
          }
          const bytes = typeof given === 'function' ? await given() : given
          checkBytes(bytes, where)
          // Written in the staging folder, not beside the target: a file made there while a level
          // flushes its folders would make their flushes commit again.
          const { temporary } = await writeTemporary(staging, bytes, where)
          temporaries.add(temporary)
          return temporary
        },
        land: async (l, i, temporary) => {
          const where = wheres[l]![i]!
          const target = pathOf(levels[l]![i]![0])
          created[l]![i] = await linkInto(temporary, target, where)
          // Flushed with the level also when the key was taken: another writer's link may not be yet.
          folders[l]!.set(dirname(target), where)
          temporaries.delete(temporary)
          removals.push(
            unlink(temporary).then(
              () => undefined,
              (error: unknown) => translateFsError(error, where),
            ),
          )
          options.onCreated?.(l, i, created[l]![i]!)
        },
        seal: async (l) => {
          if (!fsync) return
          const linkedInto = [...folders[l]!]
          // A staging folder just made is noted new like any other (see noteNewFolder); its entry
          // needs no flush, but the note goes only with one.
          const [, where] = linkedInto[0] ?? []
          await settle([
            // `concurrency` at once: a level's hundred flushes queued together would hold back, in the
            // thread pool's queue, every file write of the later levels meanwhile.
            forEachLimited(linkedInto, concurrency, ([folder, where]) => flushKept(handles, folder, where)),
            where ? flushNewFoldersOf(staging, where) : undefined,
          ])
        },
      },
    )
    const failed = (await Promise.all(removals)).find((error) => error !== undefined)
    if (failed) throw failed
  } catch (error) {
    await Promise.all(removals)
    await Promise.all([...temporaries].map(discard))
    // Staged files the failure kept from being prepared.
    await Promise.all(levels.flat().map(([, given]) => staged.drop(staged.claim(given))))
    throw error
  } finally {
    await handles.close()
  }
  return created
}

/**
 * A store's `folderReady`: `createInOrder` makes each folder its entries land
 * in while their files are prepared, so that a link finds its folder rather
 * than failing, making it and linking again. One listing of a parent tells
 * which of its folders exist; each folder is made or found once per store. A
 * folder it cannot make or list, or one a delete removed since, is left to the
 * link, which makes it again and reports what stops it.
 */
export function folderMaker(makeFolders: (folder: string, where: FsErrorContext) => Promise<void>) {
  const listed = new Map<string, Promise<ReadonlySet<string> | undefined>>()
  const ready = new Map<string, Promise<void>>()
  const make = async (folder: string, where: FsErrorContext) => {
    const parent = dirname(folder)
    let names = listed.get(parent)
    if (names === undefined) {
      names = readdir(parent).then(
        (found) => new Set(found),
        (error: unknown) => (errnoCode(error) === 'ENOENT' ? new Set<string>() : undefined),
      )
      listed.set(parent, names)
    }
    const known = await names
    if (known !== undefined && !known.has(basename(folder)))
      await makeFolders(folder, where).catch(() => undefined)
  }
  return (folder: string, where: FsErrorContext): Promise<void> => {
    let making = ready.get(folder)
    if (making === undefined) {
      making = make(folder, where)
      ready.set(folder, making)
    }
    return making
  }
}
