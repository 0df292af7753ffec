import { VarveError } from '@varve/core'
import { ConformanceError, ensure, ensureBytes } from '../assert.ts'
import { bytesEqual, describeBytes, payload } from '../bytes.ts'
import type { CheckContext, CheckSettings, ConformanceCheck } from '../check.ts'
import { listAll } from '../store-helpers.ts'
import { TAKEN } from './create-only.ts'

const group = 'concurrency'
/** How many keys the race runs on, one after the other: one race can be won by luck. */
const RACES = 3
const DISTINCT_WRITERS = 64
/** Readers polling one key while it is overwritten, and how often each reads at most. */
const READERS = 4
const READS_PER_READER = 25

/** Fails unless every racer that lost was refused with AlreadyExists or PreconditionFailed; returns the winners. */
function winnersOf(outcomes: readonly PromiseSettledResult<void>[], key: string): number[] {
  const winners: number[] = []
  for (const [racer, outcome] of outcomes.entries()) {
    if (outcome.status === 'fulfilled') {
      winners.push(racer)
      continue
    }
    const error: unknown = outcome.reason
    if (error instanceof ConformanceError) throw error
    if (!VarveError.is(error) || !(TAKEN as readonly string[]).includes(error.code)) {
      throw new ConformanceError(
        `racer ${racer} creating ${JSON.stringify(key)} failed with ${String(error)}; a loser must get ${TAKEN.join(' or ')}`,
        { cause: error },
      )
    }
  }
  return winners
}

function raceCheck({ racers, knownLimits }: CheckSettings): ConformanceCheck {
  const limit = knownLimits.createNotAtomic
  const what = `${racers} racers creating one key`
  const name =
    limit === undefined
      ? `${what}: exactly one wins, the rest get ${TAKEN.join(' or ')}, the winner's bytes stay ` +
        '(at least one wins when the store declares atomicCreate: false)'
      : `${what}: at least one wins, the rest get ${TAKEN.join(' or ')}, the bytes are a winner's ` +
        `(weaker guarantee, known limit createNotAtomic: ${limit})`
  return {
    group,
    name,
    async run({ store, prefix }: CheckContext) {
      const strict = store.capabilities.atomicCreate && limit === undefined
      for (let race = 0; race < RACES; race++) {
        const key = `${prefix}race-${race}`
        const payloads = Array.from({ length: racers }, (_, racer) =>
          payload(`race ${race} racer ${racer}`, 4096),
        )
        const outcomes = await Promise.allSettled(payloads.map((bytes) => store.create(key, bytes)))
        const winners = winnersOf(outcomes, key)
        ensure(
          winners.length > 0,
          `race ${race}: every one of ${racers} racers lost; one create must succeed`,
        )
        ensure(
          !strict || winners.length === 1,
          () =>
            `race ${race}: racers ${winners.join(', ')} all won, but the store declares atomicCreate: exactly one ` +
            'create may succeed (declare atomicCreate: false, or pass knownLimits.createNotAtomic for a server that cannot)',
        )
        const stored = await store.get(key)
        ensure(
          stored !== undefined && winners.some((racer) => bytesEqual(stored, payloads[racer] as Uint8Array)),
          () =>
            `race ${race}: the stored bytes (${describeBytes(stored)}) are not those of a winner (${winners.join(', ')})`,
        )
      }
    },
  }
}

export function concurrencyChecks(settings: CheckSettings): ConformanceCheck[] {
  return [
    raceCheck(settings),
    {
      group,
      name: `${DISTINCT_WRITERS} concurrent writers on distinct keys (put and create) all land intact`,
      async run({ store, prefix }) {
        const keys = Array.from(
          { length: DISTINCT_WRITERS },
          (_, i) => `${prefix}writer-${String(i).padStart(3, '0')}`,
        )
        const payloads = keys.map((key, i) => payload(key, 1000 + 97 * i))
        await Promise.all(
          keys.map((key, i) =>
            (i % 2 === 0 ? store.put : store.create).call(store, key, payloads[i] as Uint8Array),
          ),
        )
        for (const [i, key] of keys.entries())
          ensureBytes(await store.get(key), payloads[i] as Uint8Array, `get(${key})`)
        const listed = await listAll(store, prefix)
        ensure(
          listed.length === keys.length,
          () => `list after ${keys.length} writes returned ${listed.length} keys`,
        )
      },
    },
    {
      group,
      name: `${settings.racers} concurrent overwrites of one key leave exactly one writer's bytes, and readers meanwhile see whole payloads`,
      async run({ store, prefix }) {
        const key = `${prefix}contested`
        const initial = payload('initial', 256 * 1024)
        await store.put(key, initial)
        const payloads = Array.from({ length: settings.racers }, (_, i) => payload(`writer ${i}`, 256 * 1024))
        const known = [initial, ...payloads]
        const reads: (Uint8Array | undefined)[] = []
        let writing = true
        const writers = Promise.all(payloads.map((bytes) => store.put(key, bytes))).finally(() => {
          writing = false
        })
        const reader = async () => {
          for (let read = 0; read < READS_PER_READER && (read === 0 || writing); read++) {
            reads.push(await store.get(key))
            await new Promise((resolve) => setImmediate(resolve))
          }
        }
        await Promise.all([writers, ...Array.from({ length: READERS }, reader)])
        for (const read of reads) {
          ensure(
            read !== undefined && known.some((bytes) => bytesEqual(read, bytes)),
            () =>
              `a get during the overwrites returned ${describeBytes(read)}, which is no writer's whole payload`,
          )
        }
        const final = await store.get(key)
        ensure(
          final !== undefined && payloads.some((bytes) => bytesEqual(final, bytes)),
          () =>
            `after ${payloads.length} concurrent puts the key holds ${describeBytes(final)}, which is no writer's payload`,
        )
      },
    },
  ]
}
