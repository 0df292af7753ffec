import type { CreateEntry } from '@varve/core'

/** The key a staged write names in its errors: the object's is not known yet. */
export const STAGED_KEY = '(staged object)'

/** A file being written for `stage`: claimed once, by the landing or by a drop. */
interface StagedFile {
  readonly written: Promise<string>
  claimed: boolean
}

/**
 * The files a store's `stage` writes, by the function it hands out for a
 * `CreateEntry`: the store's `createInOrder` claims a file to land it; the
 * function, called, claims it to remove it and gives the bytes. Whichever
 * comes first wins; the other finds nothing to do.
 */
export class StagedFiles {
  readonly #files = new WeakMap<object, StagedFile>()
  readonly #remove: (temporary: string) => Promise<void>

  constructor(remove: (temporary: string) => Promise<void>) {
    this.#remove = remove
  }

  /** Registers the file `written` resolves to (its path) for `bytes`; returns the entry's function. */
  add(bytes: Uint8Array, written: Promise<string>): () => Promise<Uint8Array> {
    // A failed write surfaces where the file is used: landed or dropped.
    written.catch(() => undefined)
    const file: StagedFile = { written, claimed: false }
    const read = async () => {
      await this.drop(claimFile(file)?.written)
      return bytes
    }
    this.#files.set(read, file)
    return read
  }

  /** The path of the staged file behind an entry's bytes, taken for the caller; undefined when not one or taken. */
  claim(given: CreateEntry[1]): Promise<string> | undefined {
    return typeof given === 'function' ? claimFile(this.#files.get(given))?.written : undefined
  }

  /** Removes a claimed staged file (`claim`'s result) once written; a failed write left nothing to remove. */
  async drop(written: Promise<string> | undefined): Promise<void> {
    if (written) await written.then(this.#remove, () => undefined)
  }
}

function claimFile(file: StagedFile | undefined): StagedFile | undefined {
  if (file === undefined || file.claimed) return undefined
  file.claimed = true
  return file
}
