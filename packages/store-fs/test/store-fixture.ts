import { join } from 'node:path'
import type { Store } from '@varve/core'
import { test } from 'vitest'
import { createFsStore } from '../src/fs-store.ts'
import { makeTempFolder, removeFolder } from './temp-folder.ts'

export interface StoreFixture {
  /** A new, empty folder under the OS temporary folder, removed after the test. */
  folder: string
  /** `<folder>/root`, not made yet. */
  root: string
  /** An fs store (fsync on) at `root`. */
  store: Store
}

/** `it` with the fixtures of {@link StoreFixture}, each made only for the tests that name it. */
export const it = test.extend<StoreFixture>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture needs from this pattern
  folder: async ({}, use) => {
    const folder = await makeTempFolder()
    try {
      await use(folder)
    } finally {
      await removeFolder(folder)
    }
  },
  root: async ({ folder }, use) => use(join(folder, 'root')),
  store: async ({ root }, use) => use(createFsStore({ root })),
})
