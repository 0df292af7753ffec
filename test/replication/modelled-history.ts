import type { Collection, Repo } from '@varve/core'
import { seededRandom } from '../support/seeded-random.ts'

type Value = number | bigint | boolean | string
/** label → timestamp (ms) → the row's value columns, in schema order */
type State = Map<string, Map<number, Value[]>>

const MINUTE = 60_000
const START = Date.UTC(2024, 2, 1)
const at = (minute: number) => START + minute * MINUTE

/** The state a collection must hold at each revision, computed beside the writes without Varve. */
export class ModelledCollection {
  readonly collection: Collection
  /** Revision ids in the order the writes made them, with the state each must show. */
  readonly revisions: { readonly id: string; readonly state: State }[] = []
  readonly #values: () => Value[]
  #state: State = new Map()

  constructor(collection: Collection, values: (random: () => number) => Value[], seed: number) {
    const random = seededRandom(seed)
    this.collection = collection
    this.#values = () => values(random)
  }

  /**
   * Writes, as one commit, rows every `step` minutes from minute `from` for
   * `count` rows into each of `labels`. Each replaces what its series held
   * between its first and last timestamp: with `step` > 1, a correction that
   * also drops the rows between.
   */
  async write(labels: readonly string[], from: number, count: number, step = 1): Promise<void> {
    const batch: Record<string, Record<string, unknown>> = {}
    const next = new Map(this.#state)
    for (const label of labels) {
      const times = Array.from({ length: count }, (_, i) => at(from + i * step))
      const rows = times.map(() => this.#values())
      const names = this.collection.schema.columns.map((c) => c.name)
      batch[label] = Object.fromEntries(
        names.map((name, c) => [name, c === 0 ? times : rows.map((row) => row[c - 1]!)]),
      )
      const series = new Map(next.get(label))
      for (const t of series.keys()) if (t >= times[0]! && t <= times.at(-1)!) series.delete(t)
      for (const [i, t] of times.entries()) series.set(t, rows[i]!)
      next.set(label, new Map([...series].sort(([a], [b]) => a - b)))
    }
    this.#commit(await this.collection.write(batch), next)
  }

  /** Deletes the rows of `label` from minute `from` to minute `to`, both included. */
  async delete(label: string, from: number, to: number): Promise<void> {
    const next = new Map(this.#state)
    const series = new Map(next.get(label))
    for (const t of series.keys()) if (t >= at(from) && t <= at(to)) series.delete(t)
    if (series.size === 0) next.delete(label)
    else next.set(label, series)
    this.#commit(
      await this.collection.series(label).delete({ start: new Date(at(from)), stop: new Date(at(to)) }),
      next,
    )
  }

  /**
   * What `collection` (the same collection in any repository) shows that it
   * should not: a log other than the writes', a revision whose labels or
   * rows differ from the modelled state. Empty when every value of every
   * series at every revision is right.
   */
  async problems(collection: Collection): Promise<string[]> {
    const problems: string[] = []
    const log = (await collection.log()).map((r) => r.id)
    const ids = this.revisions.map((r) => r.id)
    if (log.join() !== ids.join()) return [`${collection.name}: log ${log.join()} ≠ ${ids.join()}`]
    for (const { id, state } of this.revisions) {
      const view = collection.at(id)
      const labels = await view.labels()
      if (labels.join() !== [...state.keys()].sort().join()) {
        problems.push(`${collection.name} at ${id}: labels ${labels.join()} ≠ ${[...state.keys()].join()}`)
        continue
      }
      for (const [label, rows] of state) {
        const expected = this.collection.schema.coerce(
          Object.fromEntries(
            this.collection.schema.columns.map((c, i) => [
              c.name,
              i === 0 ? [...rows.keys()] : [...rows.values()].map((row) => row[i - 1]!),
            ]),
          ),
        )
        if (!expected.equals(await view.series(label).read())) {
          problems.push(`${collection.name} at ${id}: series ${label} differs`)
        }
      }
    }
    return problems
  }

  #commit(revision: { readonly id: string } | undefined, next: State): void {
    if (revision === undefined) throw new Error(`${this.collection.name}: a write made no revision`)
    this.revisions.push({ id: revision.id, state: next })
    this.#state = next
  }
}

/**
 * Writes a history into `repo`: three collections of different column types,
 * several series each, written in batches and alone, appended to, corrected
 * (rows replaced, some dropped), deleted from, one series deleted whole and
 * written again. Returns the models that know what each revision holds.
 */
export async function writeModelledHistory(repo: Repo): Promise<ModelledCollection[]> {
  const prices = new ModelledCollection(
    await repo.createCollection('prices', { timestamp: 'timestamp*', price: 'float64', volume: 'int64' }),
    (random) => [Math.round(random() * 1e6) / 100, BigInt(Math.floor(random() * 1e9))],
    1,
  )
  const sensors = new ModelledCollection(
    await repo.createCollection('sensors', {
      timestamp: 'timestamp*',
      reading: 'float64',
      ok: 'bool',
      unit: 'str',
    }),
    (random) => [random() * 40 - 10, random() < 0.9, ['°C', 'hPa', '%'][Math.floor(random() * 3)]!],
    2,
  )
  const counters = new ModelledCollection(
    await repo.createCollection('counters', { timestamp: 'timestamp*', count: 'int32' }),
    (random) => [Math.floor(random() * 1000) - 500],
    3,
  )

  await prices.write(['EURUSD', 'GBPUSD', 'USDJPY', 'AAPL'], 0, 300)
  await prices.write(['EURUSD', 'USDJPY'], 300, 100)
  await prices.write(['AAPL'], 100, 11, 5)
  await prices.delete('GBPUSD', 50, 80)
  await prices.write(['MSFT', 'EURUSD'], 390, 40)

  await sensors.write(['room-1', 'room-2', 'room-3'], 0, 500)
  await sensors.delete('room-2', 0, 99)
  await sensors.write(['room-1'], 200, 6, 2)
  await sensors.write(['room-1', 'room-2', 'room-3'], 500, 100)

  await counters.write(['a', 'b'], 0, 100)
  await counters.delete('b', 0, 99)
  await counters.write(['b'], 50, 10)
  await counters.write(['a'], 0, 100)

  return [prices, sensors, counters]
}
