// One racer. It waits for the signal file, which holds the start time; round i
// begins at start + i × interval on every racer alike, so the racers hit each
// key at the same moment. Round i creates keys[i] with this racer's payload;
// the last round puts the shared key a few times. One JSON line per outcome.
// Arguments: root, racer id, signal file, interval (ms), create keys (comma-separated), put key.
import { existsSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { VarveError } from '@varve/core'
import { createFsStore } from '../../src/fs-store.ts'
import { racerPayload } from '../race-payload.ts'

const [root, id, signal, interval, createKeys, putKey] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
]
const store = createFsStore({ root })
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`)

say({ ready: id })
while (!existsSync(signal)) await sleep(1)
const start = Number(readFileSync(signal, 'utf8'))

/** Sleeps until shortly before `time`, then spins, so every racer wakes within a fraction of a millisecond. */
async function until(time: number): Promise<void> {
  const nap = time - Date.now() - 3
  if (nap > 0) await sleep(nap)
  while (performance.timeOrigin + performance.now() < time) {}
}

const keys = createKeys.split(',')
for (const [round, key] of keys.entries()) {
  const payload = racerPayload(key, id)
  await until(start + round * Number(interval))
  try {
    await store.create(key, payload)
    say({ key, outcome: 'created' })
  } catch (error) {
    say({ key, outcome: VarveError.is(error) ? error.code : String(error) })
  }
}
const payload = racerPayload(putKey, id)
await until(start + keys.length * Number(interval))
for (let round = 0; round < 3; round++) await store.put(putKey, payload)
say({ done: id })
