import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { type Clouds, startClouds } from './clouds.ts'

/**
 * Starts the local cloud servers and makes a temporary folder before a test
 * file's tests (`then` runs once both are up), and stops and removes them after.
 */
export function useCloudsAndFolder(
  folderPrefix: string,
  then?: (clouds: Clouds) => void,
): { servers(): Clouds; folder(): string } {
  let clouds: Clouds | undefined
  let folder: string | undefined
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), folderPrefix))
    clouds = await startClouds()
    then?.(clouds)
  }, 90_000)
  afterAll(async () => {
    try {
      await clouds?.stop()
    } finally {
      if (folder !== undefined) await rm(folder, { recursive: true, force: true })
    }
  })
  return {
    servers() {
      if (clouds === undefined) throw new Error('the cloud servers did not start (see beforeAll)')
      return clouds
    },
    folder() {
      if (folder === undefined) throw new Error('the temporary folder was not made (see beforeAll)')
      return folder
    },
  }
}
