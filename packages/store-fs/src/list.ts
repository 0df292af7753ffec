import type { Dirent } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { keyProblem } from '@varve/core'
import { isAbsent } from './errors.ts'

interface Entry {
  readonly name: string
  readonly folder: boolean
  /** The name as it begins the keys it yields: a folder's keys all continue with '/'. */
  readonly order: Buffer
}

/**
 * Yields the keys under `root` that start with `prefix`, in ascending order of
 * their UTF-8 bytes, reading only the folder that holds the prefix's last '/'
 * and the folders below it.
 *
 * Each folder is read whole and sorted on its own: a file `x` yields the key
 * `x`, a folder `x` yields keys that all start with `x/`, so sorting the entries
 * by `x` and `x/` respectively orders every key of one entry against every key
 * of another (no name holds '/', so `x/` is never a prefix of another name).
 * The merged stream is therefore sorted without collecting it.
 *
 * Dot-entries are skipped (temporary files of this store, OS clutter: no key
 * segment starts with '.'), as are names that are not valid key segments and
 * anything that is neither a file nor a folder (symbolic links are not followed).
 * A missing folder lists as empty, including one removed during the walk.
 */
export async function* listKeys(
  root: string,
  prefix: string,
  fail: (error: unknown) => Error,
): AsyncGenerator<string, void, undefined> {
  const slash = prefix.lastIndexOf('/')
  const base = prefix.slice(0, slash + 1)
  const folder = base === '' ? root : join(root, ...base.slice(0, -1).split('/'))
  yield* walk(folder, base, prefix.slice(slash + 1), fail)
}

async function* walk(
  folder: string,
  base: string,
  namePrefix: string,
  fail: (error: unknown) => Error,
): AsyncGenerator<string, void, undefined> {
  const entries: Entry[] = []
  for (const dirent of await readFolder(folder, fail)) {
    const { name } = dirent
    if (name.startsWith('.') || !name.startsWith(namePrefix)) continue
    // A file's whole key is checked (its name is one of its segments); a folder's name, as its keys are.
    if (dirent.isFile()) {
      if (keyProblem(base + name) === undefined)
        entries.push({ name, folder: false, order: Buffer.from(name) })
    } else if (dirent.isDirectory() && keyProblem(name) === undefined) {
      entries.push({ name, folder: true, order: Buffer.from(`${name}/`) })
    }
  }
  entries.sort((a, b) => Buffer.compare(a.order, b.order))
  for (const entry of entries) {
    const key = base + entry.name
    if (entry.folder) yield* walk(join(folder, entry.name), `${key}/`, '', fail)
    else yield key
  }
}

async function readFolder(folder: string, fail: (error: unknown) => Error): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true })
  } catch (error) {
    if (isAbsent(error)) return []
    throw fail(error)
  }
}
