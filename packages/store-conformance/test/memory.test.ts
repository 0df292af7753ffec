import { createMemoryStore } from '@varve/core'
import { describeStoreConformance } from '@varve/store-conformance'

describeStoreConformance('memory', { create: () => createMemoryStore() })
