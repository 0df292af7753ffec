/**
 * A separate OS process racing others to publish datasets:
 * `dataset-publisher.ts <store JSON> <racer> <barrier folder> <rounds>`. The
 * store JSON is `{ "folder": path }` or `{ "azure": { connectionString,
 * container, prefix } }`. Prints `ready` once the repository is open; then, for
 * each round r, waits for the file `start-<r>` in the barrier folder, publishes
 * the dataset `race-<r>` as its own collection `c<racer>` and prints one JSON
 * line: `{ round, racer, won, code?, message?, started, ended }` (times in ms).
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { Repo, type Store, VarveError } from '@varve/core'
import { type AzureStoreOptions, createAzureStore } from '@varve/store-azure'

const [storeJson, racerArg, barrier, roundsArg] = process.argv.slice(2)
const config = JSON.parse(storeJson!) as { folder?: string; azure?: AzureStoreOptions }
const racer = Number(racerArg)
const target: string | Store = config.folder ?? createAzureStore(config.azure!)
const repo = await Repo.open(target, { create: false })
console.log('ready')

for (let round = 0; round < Number(roundsArg); round++) {
  const start = join(barrier!, `start-${round}`)
  while (
    !(await access(start).then(
      () => true,
      () => false,
    ))
  ) {
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  const started = Date.now()
  try {
    await repo.datasets.publish(`race-${round}`, `c${racer}`)
    console.log(JSON.stringify({ round, racer, won: true, started, ended: Date.now() }))
  } catch (error) {
    if (!VarveError.is(error, 'AlreadyExists')) throw error
    const { code, message } = error
    console.log(JSON.stringify({ round, racer, won: false, code, message, started, ended: Date.now() }))
  }
}
await repo.close()
