// Writes large self-checking payloads in an endless loop, until killed: puts over
// a few keys, and creates of new keys. Prints 'put <n>' or 'create <n>' as write n
// starts, and 'done <n>' when it ends.
// Arguments: root, first seed (so each run writes payloads of its own).
import { createFsStore } from '../../src/fs-store.ts'
import { makePayload } from '../payload.ts'

const [root, firstSeed] = process.argv.slice(2) as [string, string]
const store = createFsStore({ root })
// Made up front, so the loop spends its time writing and a kill most likely lands mid-write.
const payloads = Array.from({ length: 4 }, (_, i) => makePayload(Number(firstSeed) + i, (1 + i) * 512 * 1024))

for (let write = 0; ; write++) {
  const payload = payloads[write % payloads.length]!
  const create = write % 3 === 2
  process.stdout.write(`${create ? 'create' : 'put'} ${write}\n`)
  if (create) await store.create(`created/${firstSeed}-${write}`, payload)
  else await store.put(`objects/k${write % 5}`, payload)
  process.stdout.write(`done ${write}\n`)
}
