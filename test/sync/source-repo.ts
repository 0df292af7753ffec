import { Repo } from '@varve/core'
import { seededRandom } from '../support/seeded-random.ts'

const MINUTE = 60_000
const START = Date.UTC(2024, 0, 1)

function minutes(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => START + (from + i) * MINUTE)
}

/**
 * Builds, in folder `folder`, a repository whose copy takes a while: 50 series
 * in three collections, a few thousand rows each, with the kinds of history a
 * copy must carry.
 * - `weather` (30 series): a first batch, an append to all, an overwrite of
 *   some, a delete in a few: few revisions, many objects.
 * - `meters` (12 series): histories that diverged twice (made through a clone
 *   and a pull), merged once: it ends with two heads.
 * - `events` (8 series): 40 small appends, squashed into a pack but for the head.
 */
export async function buildSourceRepo(folder: string, side: string): Promise<void> {
  const random = seededRandom(7)
  const repo = await Repo.open(folder)

  const weather = await repo.createCollection('weather', {
    timestamp: 'timestamp*',
    value: 'float64',
    ok: 'bool',
  })
  const stations = Array.from({ length: 30 }, (_, i) => `station-${String(i).padStart(2, '0')}`)
  const weatherRows = (from: number, count: number) => ({
    timestamp: minutes(from, count),
    value: Array.from({ length: count }, () => Math.round(random() * 4000) / 100),
    ok: Array.from({ length: count }, () => random() < 0.9),
  })
  await weather.write(Object.fromEntries(stations.map((s) => [s, weatherRows(0, 3000)])))
  await weather.write(Object.fromEntries(stations.map((s) => [s, weatherRows(3000, 1000)])))
  await weather.write(Object.fromEntries(stations.slice(0, 10).map((s) => [s, weatherRows(1000, 500)])))
  for (const station of stations.slice(20, 23)) {
    await weather
      .series(station)
      .delete({ start: new Date(START + 200 * MINUTE), stop: new Date(START + 400 * MINUTE) })
  }

  const meterSchema = { timestamp: 'timestamp*', kwh: 'float64', phase: 'str' }
  const meters = await repo.createCollection('meters', meterSchema)
  const meterNames = Array.from({ length: 12 }, (_, i) => `meter-${i}`)
  const meterRows = (from: number, count: number) => ({
    timestamp: minutes(from, count),
    kwh: Array.from({ length: count }, () => random() * 10),
    phase: Array.from({ length: count }, () => ['L1', 'L2', 'L3'][Math.floor(random() * 3)]!),
  })
  await meters.write(Object.fromEntries(meterNames.map((m) => [m, meterRows(0, 2000)])))
  const other = await Repo.clone(folder, side)
  const otherMeters = (await other.collection('meters'))!
  for (let round = 0; round < 2; round++) {
    await meters.write({ [meterNames[round]!]: meterRows(2000 + round * 100, 300) })
    await otherMeters.write({ [meterNames[round + 1]!]: meterRows(1900 + round * 100, 300) })
    await meters.pull(side)
    if (round === 0) await meters.merge()
  }

  const events = await repo.createCollection('events', { timestamp: 'timestamp*', count: 'int64' })
  for (let i = 0; i < 40; i++) {
    await events.series(`kind-${i % 8}`).write({
      timestamp: minutes(Math.floor(i / 8) * 50, 50),
      count: Array.from({ length: 50 }, () => BigInt(Math.floor(random() * 1000))),
    })
  }
  await events.squash()
}
