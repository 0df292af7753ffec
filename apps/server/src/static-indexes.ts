import { readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { compareKeys, STATIC_INDEX_NAME, type StaticIndex } from '@varve/core'

/**
 * Writes a listing index (`.varve-index.json`) into every folder of a repository kept in a local
 * folder, so that a copy of the folder on any static web host or bucket website can be opened
 * with `Repo.open('https://host/path')` (docs/serving.md). Names starting with '.' (temporary
 * files, the indexes themselves) are left out. Run it after each change, before uploading.
 * Returns the number of index files written.
 */
export async function writeStaticIndexes(folder: string): Promise<number> {
  const entries = await readdir(folder, { withFileTypes: true })
  const names: string[] = []
  let written = 0
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    if (entry.isDirectory()) {
      names.push(`${entry.name}/`)
      written += await writeStaticIndexes(join(folder, entry.name))
    } else if (entry.isFile()) {
      names.push(entry.name)
    }
  }
  const index: StaticIndex = { kind: 'varve-index', entries: names.sort(compareKeys) }
  // Written beside and renamed, so a host serving the folder meanwhile never sees half an index.
  const temporary = join(folder, `${STATIC_INDEX_NAME}.${process.pid}.tmp`)
  await writeFile(temporary, `${JSON.stringify(index)}\n`)
  await rename(temporary, join(folder, STATIC_INDEX_NAME))
  return written + 1
}
