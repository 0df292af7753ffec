import { randomBytes } from 'node:crypto'
import { describeStoreConformance } from '@varve/store-conformance'
import { createGcsStore } from '../src/gcs-store.ts'
import { type GcsEmulator, startGcsEmulator } from './gcs-emulator.ts'

let emulator: GcsEmulator | undefined

describeStoreConformance('gcs (Firebase Storage emulator)', {
  create: async () => {
    emulator = await startGcsEmulator()
    return createGcsStore({
      bucket: 'varve-conformance',
      prefix: `run-${randomBytes(6).toString('hex')}`,
      apiEndpoint: emulator.endpoint,
      projectId: emulator.projectId,
    })
  },
  destroy: () => emulator?.stop(),
  knownLimits: {
    createNotAtomic:
      'the Firebase Storage emulator ignores ifGenerationMatch preconditions (real GCS honours them)',
  },
})
