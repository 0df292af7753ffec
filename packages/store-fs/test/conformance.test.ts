import { describeStoreConformance } from '@varve/store-conformance'
import { createFsStore } from '../src/fs-store.ts'
import { makeTempFolder, removeFolder } from './temp-folder.ts'

let folder: string

describeStoreConformance('fs', {
  create: async () => {
    folder = await makeTempFolder()
    return createFsStore({ root: folder })
  },
  destroy: () => removeFolder(folder),
})
