import { describeOperation, type ErrorCode, type Store, VarveError } from '@varve/core'

/** The store operations, as named in error messages (a readInto fails as the get it stands for). */
export type FsOperation = Exclude<
  keyof Store,
  'description' | 'capabilities' | 'close' | 'stage' | 'readInto'
>

/** Where a failure happened: the operation, the key (or, for `list`, the prefix) and the store's `file://` description. */
export interface FsErrorContext {
  readonly operation: FsOperation
  readonly key: string
  readonly description: string
}

const permissionCodes = new Set(['EACCES', 'EPERM', 'EROFS'])
const transientCodes = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'ETIMEDOUT'])
const spaceCodes = new Set(['ENOSPC', 'EDQUOT'])

/** The `code` of a Node file system error (`'ENOENT'`, ...), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** True when the error means the path does not exist: it, or a folder on the way, is missing, or a file stands where a folder should. */
export function isAbsent(error: unknown): boolean {
  const code = errnoCode(error)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * Translates a Node file system error into a `VarveError`, cause attached:
 * `EEXIST` → `AlreadyExists`; `EACCES`, `EPERM`, `EROFS` → `PermissionDenied`;
 * `EMFILE`, `ENFILE`, `EAGAIN`, `EBUSY`, `ETIMEDOUT` → `Transient`; anything else →
 * `StoreFailure`. A `VarveError` passes through unchanged. Absence (`ENOENT`) is
 * not translated here: the operations that treat it as "no object" check
 * {@link isAbsent} first.
 */
export function translateFsError(error: unknown, context: FsErrorContext): VarveError {
  if (VarveError.is(error)) return error
  const code = errnoCode(error)
  const { key, description } = context
  if (code === 'EEXIST') return alreadyExists(context, error)
  const [errorCode, advice] = classify(code)
  const reason = error instanceof Error ? error.message : String(error)
  return new VarveError(
    errorCode,
    `Could not ${describeOperation(context.operation, context.key)} in ${description}: ${reason}. ${advice}`,
    {
      cause: error,
      details: { key, root: description, ...(code === undefined ? {} : { errno: code }) },
    },
  )
}

/** The error `create` throws when the key is taken. */
export function alreadyExists(context: FsErrorContext, cause?: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'AlreadyExists',
    `Object ${JSON.stringify(key)} already exists in ${description}; create-only writes never replace an object. ` +
      'Read it, or write under another key.',
    { cause, details: { key, root: description } },
  )
}

/**
 * The error for a key that needs a folder where an object is stored, or the
 * reverse: a folder cannot hold an object `a` and an object `a/b` at once.
 */
export function keyConflict(context: FsErrorContext, cause: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'Unsupported',
    `Could not ${describeOperation(context.operation, context.key)} in ${description}: the fs store keeps ${JSON.stringify(key)} as a file inside ` +
      "folders named after its '/'-separated segments, and a file and a folder of the same name cannot coexist " +
      '(an object "a" and an object "a/b", for instance). Delete the object in the way, or choose keys where no ' +
      "key is another key followed by '/'.",
    { cause, details: { key, root: description } },
  )
}

/** The error when a write's folder keeps disappearing: others delete keys there and remove it as empty. */
export function folderVanished(context: FsErrorContext, times: number, cause: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'Transient',
    `Could not ${describeOperation(context.operation, context.key)} in ${description}: its folder was removed ${times} times before the write ` +
      'could land in it (others are deleting keys there, or cleaning up empty folders). Retry the call.',
    { cause, details: { key, root: description } },
  )
}

/** The error when the root, or a folder on the way to it, is a file. */
export function rootNotFolder(context: FsErrorContext, cause: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'StoreFailure',
    `Could not ${describeOperation(context.operation, context.key)} in ${description}: the root is not a folder (a file stands at that path or ` +
      'on the way to it). Point the store at a folder, or move the file away.',
    { cause, details: { key, root: description } },
  )
}

/** The error when the file system cannot make hard links, which atomic create-only writes rely on. */
export function noHardLinks(context: FsErrorContext, cause: unknown): VarveError {
  const { key, description } = context
  return new VarveError(
    'Unsupported',
    `Could not ${describeOperation(context.operation, context.key)} in ${description}: the file system refused to make a hard link, which the fs ` +
      'store needs for atomic create-only writes. Put the root on a file system with hard links ' +
      '(ext4, xfs, btrfs, APFS, NTFS, ...), not FAT or exFAT.',
    { cause, details: { key, root: description } },
  )
}

function classify(code: string | undefined): [ErrorCode, string] {
  if (code !== undefined && permissionCodes.has(code)) {
    return [
      'PermissionDenied',
      'Check that this process may read and write the root folder (its owner and mode) and that it is not on a read-only mount.',
    ]
  }
  if (code !== undefined && transientCodes.has(code)) {
    return [
      'Transient',
      'This usually passes: retry the call; if it persists, raise the open-files limit (ulimit -n) or lower the concurrency.',
    ]
  }
  if (code !== undefined && spaceCodes.has(code)) {
    return ['StoreFailure', 'Free space on the disk holding the root folder (or raise the quota) and retry.']
  }
  return ['StoreFailure', 'The cause holds the file system’s report; check the root folder and the disk.']
}
