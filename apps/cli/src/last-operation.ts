import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { StoreStats } from '@varve/core'

/** What one store was asked during a command. */
export interface StoreUse {
  /** `repo` for the command's repository, `remote` for the other side of a push, pull or clone. */
  readonly role: 'repo' | 'remote'
  /** The store's own description (URIs without credentials). */
  readonly store: string
  readonly stats: StoreStats
}

/** The record `varve stats` shows: the last command that opened a store. */
export interface LastOperation {
  /** The command's words, locations redacted. */
  readonly command: string
  readonly startedAt: string
  readonly durationMs: number
  readonly exitCode: number
  readonly stores: readonly StoreUse[]
}

/**
 * Where the record lives: `VARVE_STATE_DIR`, else `$XDG_STATE_HOME/varve`, else
 * `~/.local/state/varve`, as `last-operation.json`. One record per user (like a
 * shell's `$?`): every command that opens a store replaces it when it ends.
 */
export function lastOperationFile(env: NodeJS.ProcessEnv): string {
  const folder =
    env.VARVE_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'varve')
  return join(folder, 'last-operation.json')
}

/** Replaces the record; written to a temporary file and renamed, so a reader never sees half of one. */
export async function saveLastOperation(file: string, record: LastOperation): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`)
  await rename(temporary, file)
}

/** The record, or undefined when no command has left one. */
export async function loadLastOperation(file: string): Promise<LastOperation | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LastOperation
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
