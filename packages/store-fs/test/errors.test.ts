import { chmod, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type ErrorCode, VarveError } from '@varve/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  folderVanished,
  isAbsent,
  keyConflict,
  noHardLinks,
  rootNotFolder,
  translateFsError,
} from '../src/errors.ts'
import { createFsStore } from '../src/fs-store.ts'
import { makeTempFolder, removeFolder } from './temp-folder.ts'

const context = { operation: 'put', key: 'series/brussels', description: 'file:///srv/varve' } as const

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something, open '/srv/varve/series/brussels'`), {
    code,
    errno: -1,
  })
}

describe('translateFsError', () => {
  it.each<[string, ErrorCode, RegExp]>([
    ['EEXIST', 'AlreadyExists', /already exists in file:\/\/\/srv\/varve; create-only writes never replace/],
    ['EACCES', 'PermissionDenied', /may read and write the root folder/],
    ['EPERM', 'PermissionDenied', /may read and write the root folder/],
    ['EROFS', 'PermissionDenied', /read-only mount/],
    ['EMFILE', 'Transient', /retry the call.*ulimit -n/],
    ['ENFILE', 'Transient', /retry the call/],
    ['EAGAIN', 'Transient', /retry the call/],
    ['EBUSY', 'Transient', /retry the call/],
    ['ETIMEDOUT', 'Transient', /retry the call/],
    ['ENOSPC', 'StoreFailure', /Free space/],
    ['EIO', 'StoreFailure', /file system’s report/],
  ])('translates %s into %s, naming the key and the root, cause attached', (code, expected, advice) => {
    const cause = errno(code)
    const error = translateFsError(cause, context)
    expect(VarveError.is(error, expected)).toBe(true)
    expect(error.cause).toBe(cause)
    expect(error.message).toContain('"series/brussels"')
    expect(error.message).toContain('file:///srv/varve')
    expect(error.message).toMatch(advice)
    expect(error.details).toMatchObject({ key: 'series/brussels', root: 'file:///srv/varve' })
  })

  it('says what the operation was doing', () => {
    const cause = errno('EIO')
    expect(translateFsError(cause, { ...context, operation: 'get' }).message).toMatch(
      /^Could not read "series/,
    )
    expect(translateFsError(cause, { ...context, operation: 'list', key: 'ser' }).message).toMatch(
      /^Could not list the keys starting with "ser" in file:\/\/\/srv\/varve: EIO/,
    )
    expect(translateFsError(cause, { ...context, operation: 'delete' }).message).toMatch(/^Could not delete/)
  })

  it('passes Varve errors through and wraps anything else as StoreFailure', () => {
    const varve = new VarveError('Integrity', 'bad')
    expect(translateFsError(varve, context)).toBe(varve)
    const odd = translateFsError('a string thrown', context)
    expect(odd.code).toBe('StoreFailure')
    expect(odd.cause).toBe('a string thrown')
  })

  it('tells absence apart from other failures', () => {
    expect(isAbsent(errno('ENOENT'))).toBe(true)
    expect(isAbsent(errno('ENOTDIR'))).toBe(true)
    expect(isAbsent(errno('EACCES'))).toBe(false)
    expect(isAbsent(new Error('no code'))).toBe(false)
  })

  it('explains key conflicts and missing hard links as Unsupported', () => {
    const cause = errno('ENOTDIR')
    expect(keyConflict(context, cause)).toMatchObject({ code: 'Unsupported', cause })
    expect(keyConflict(context, cause).message).toMatch(/a file and a folder of the same name cannot coexist/)
    expect(noHardLinks({ ...context, operation: 'create' }, cause).message).toMatch(
      /^Could not create "series\/brussels".*hard link.*not FAT or exFAT/,
    )
  })

  it('gives up with Transient when a folder keeps disappearing, and says when the root is no folder', () => {
    const cause = errno('ENOENT')
    expect(folderVanished(context, 9, cause)).toMatchObject({ code: 'Transient', cause })
    expect(folderVanished(context, 9, cause).message).toMatch(/folder was removed 9 times .* Retry the call/)
    expect(rootNotFolder(context, cause)).toMatchObject({ code: 'StoreFailure', cause })
  })
})

describe('a file system that refuses', () => {
  let folder: string
  beforeEach(async () => {
    folder = await makeTempFolder()
  })
  afterEach(async () => {
    await chmod(folder, 0o700)
    await removeFolder(folder)
  })

  // sysfs refuses new folders to everyone, root included, which a mode cannot do.
  it.runIf(process.platform === 'linux')(
    'reports PermissionDenied for a root the OS will not create',
    async () => {
      const store = createFsStore({ root: '/sys/varve-store-fs-test' })
      await expect(store.put('k', new Uint8Array([1]))).rejects.toSatisfy((error) =>
        VarveError.is(error, 'PermissionDenied'),
      )
    },
  )

  it.runIf(process.getuid?.() !== 0)('reports PermissionDenied for a read-only folder', async () => {
    await mkdir(join(folder, 'root'))
    await chmod(join(folder, 'root'), 0o500)
    const store = createFsStore({ root: join(folder, 'root') })
    await expect(store.put('k', new Uint8Array([1]))).rejects.toSatisfy((error) =>
      VarveError.is(error, 'PermissionDenied'),
    )
  })
})
