import { compareKeys, createFaultyStore, type FaultRule, type Store, VarveError } from '@varve/core'
import { ConformanceError, ensure, ensureBytes, ensureKeys, ensureRejects } from '../assert.ts'
import { bytesEqual, describeBytes, payload } from '../bytes.ts'
import type { ConformanceCheck } from '../check.ts'
import { listAll } from '../store-helpers.ts'
import { TAKEN } from './create-only.ts'

const group = 'faults'
/** Fixed, so that a failing run repeats. */
const SEED = 20_260_101

/** Latency on every write, then transient failures: before the write reaches the store, and after it landed. */
const flakyWrites: readonly FaultRule[] = [
  { ops: ['put', 'create'], latencyMs: [0, 4] },
  { ops: ['put', 'create'], probability: 0.2, error: 'Transient' },
  { ops: ['put', 'create'], probability: 0.2, error: 'Transient', when: 'after' },
]

/** Fails unless the error is an injected Transient, or (from create) the key being taken. */
function ensureExpectedFailure(error: unknown, op: 'put' | 'create', key: string): void {
  if (error instanceof ConformanceError) throw error
  if (VarveError.is(error, 'Transient')) return
  if (op === 'create' && VarveError.is(error) && (TAKEN as readonly string[]).includes(error.code)) return
  throw new ConformanceError(
    `${op}(${JSON.stringify(key)}) under injected faults failed with ${String(error)}; ` +
      `expected the injected VarveError Transient${op === 'create' ? ` or ${TAKEN.join(' or ')}` : ''}`,
    { cause: error },
  )
}

interface Write {
  readonly key: string
  readonly op: 'put' | 'create'
  readonly bytes: Uint8Array
}

interface Attempt {
  readonly key: string
  readonly bytes: Uint8Array
  readonly outcome: PromiseSettledResult<void>
}

/** Every writer of every key at once, each by put except the last by create; returns what each saw. */
async function writeConcurrently(store: Store, keys: readonly string[], writers: number): Promise<Attempt[]> {
  const plan = keys.flatMap((key) =>
    Array.from({ length: writers }, (_, w): Write => {
      const op = w === writers - 1 ? 'create' : 'put'
      return { key, op, bytes: payload(`${key} ${op} by writer ${w}`, 64 * 1024) }
    }),
  )
  const outcomes = await Promise.allSettled(plan.map(({ key, op, bytes }) => store[op](key, bytes)))
  return plan.map(({ key, op, bytes }, i) => {
    const outcome = outcomes[i] as PromiseSettledResult<void>
    if (outcome.status === 'rejected') ensureExpectedFailure(outcome.reason, op, key)
    return { key, bytes, outcome }
  })
}

export const faultChecks: readonly ConformanceCheck[] = [
  {
    group,
    name: 'under transient failures and latency on puts and creates, errors are VarveError Transient and no object is torn',
    async run({ store, prefix }) {
      const faulty = createFaultyStore(store, { seed: SEED, faults: flakyWrites })
      const keys = Array.from({ length: 8 }, (_, i) => `${prefix}flaky-${i}`)
      const attempts = await writeConcurrently(faulty, keys, 4)
      const failures = attempts.filter(
        (a) => a.outcome.status === 'rejected' && VarveError.is(a.outcome.reason, 'Transient'),
      )
      ensure(failures.length > 0, `no injected failure reached the caller in ${attempts.length} writes`)
      for (const key of keys) {
        const mine = attempts.filter((a) => a.key === key)
        const stored = await store.get(key)
        if (stored === undefined) {
          ensure(
            mine.every((a) => a.outcome.status === 'rejected'),
            () => `${JSON.stringify(key)} is missing although a write of it succeeded`,
          )
          continue
        }
        ensure(
          mine.some((a) => bytesEqual(stored, a.bytes)),
          () =>
            `${JSON.stringify(key)} holds ${describeBytes(stored)}, which is none of the payloads written to it: a torn object`,
        )
      }
    },
  },
  {
    group,
    name: 'once faults are cleared, every write reads back',
    async run({ store, prefix }) {
      const faulty = createFaultyStore(store, { seed: SEED + 1, faults: flakyWrites })
      const rewritten = Array.from(
        { length: 12 },
        (_, i) => `${prefix}rewritten-${String(i).padStart(2, '0')}`,
      )
      await writeConcurrently(faulty, rewritten, 2)
      faulty.setFaults([])
      const fresh = Array.from({ length: 12 }, (_, i) => `${prefix}fresh-${String(i).padStart(2, '0')}`)
      const finals = new Map([...rewritten, ...fresh].map((key) => [key, payload(`${key} final`, 32 * 1024)]))
      await Promise.all([
        ...rewritten.map((key) => faulty.put(key, finals.get(key) as Uint8Array)),
        ...fresh.map((key) => faulty.create(key, finals.get(key) as Uint8Array)),
      ])
      for (const [key, bytes] of finals)
        ensureBytes(await faulty.get(key), bytes, `get(${JSON.stringify(key)}) after faults cleared`)
      ensureKeys(
        await listAll(faulty, prefix),
        [...finals.keys()].sort(compareKeys),
        'list after faults cleared',
      )
    },
  },
  {
    group,
    name: 'a create that landed but reported Transient is refused on retry with AlreadyExists or PreconditionFailed; the object is complete',
    async run({ store, prefix }) {
      const faulty = createFaultyStore(store, {
        seed: SEED,
        faults: [{ ops: ['create'], times: 1, error: 'Transient', when: 'after' }],
      })
      const key = `${prefix}acknowledgement-lost`
      const bytes = payload('landed', 1024 * 1024)
      await ensureRejects(
        () => faulty.create(key, bytes),
        ['Transient'],
        `create(${JSON.stringify(key)}) with a lost acknowledgement`,
      )
      await ensureRejects(
        () => faulty.create(key, bytes),
        TAKEN,
        `the retry of create(${JSON.stringify(key)})`,
      )
      ensureBytes(await store.get(key), bytes, 'get of the object whose create acknowledgement was lost')
    },
  },
]
