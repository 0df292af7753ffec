import { VarveError } from '../errors/varve-error.ts'
import { type CompiledRule, compileFaultRules, type FaultRule } from './fault-rule.ts'
import { validateKey, validatePrefix, validateRange } from './keys.ts'
import type { ByteRange, Store, StoreOperation } from './store.ts'

export interface FaultyStoreOptions {
  /** The rules in force from the start (see {@link FaultyStore.setFaults}). Default: none. */
  faults?: readonly FaultRule[]
  /** Seeds the generator behind probabilities and latency ranges, so that runs repeat. Default 0. */
  seed?: number
}

/** A store that injects failures and latency into the calls it passes on. */
export interface FaultyStore extends Store {
  /** Replaces the rules; their `skip` and `times` count afresh. Throws `InvalidArgument` for a malformed rule. */
  setFaults(rules: readonly FaultRule[]): void
  /** How many times a rule has fired (a failure or a delay), since the store was made. */
  readonly injected: number
}

interface RuleState {
  readonly rule: CompiledRule
  matched: number
  fired: number
}

interface Failure {
  readonly error: Error
  readonly when: 'before' | 'after'
}

/**
 * Wraps `inner` and injects failures and latency into chosen operations, for
 * testing retries, resumable sync and lost acknowledgements.
 *
 * For each call the rules are checked in order. A rule matching the operation
 * and key, past its `skip`, within its `times` and winning its `probability`
 * draw fires: its latency is added to the call's delay (waited before the
 * call), and the first firing rule with an `error` fails the call (later rules
 * are not checked). An error given as a code is
 * `VarveError(code, 'Injected fault: <op> <key> (<code>)')` with details
 * `{ injected: true, op, key }`. For `list` the failure comes when the
 * iteration starts, before any key is yielded; with `when: 'after'` the inner
 * listing is started first.
 *
 * Keys, prefixes and ranges are validated before any fault, as a real store
 * does before it sends anything, and again by the inner store.
 * `description`, `capabilities` and `close` are those of `inner`.
 *
 * Throws `InvalidArgument` for a malformed rule or a seed that is not a whole number.
 */
export function createFaultyStore(inner: Store, options: FaultyStoreOptions = {}): FaultyStore {
  const { faults = [], seed = 0 } = options
  if (!Number.isSafeInteger(seed)) {
    throw new VarveError('InvalidArgument', `Invalid seed ${String(seed)}: give a whole number.`)
  }
  const random = mulberry32(seed)
  let states = statesOf(faults)
  let injected = 0

  /** Decides the faults of one call, waits its delay, and returns the failure to raise, if any. */
  async function inject(op: StoreOperation, keys: readonly string[]): Promise<Failure | undefined> {
    let delay = 0
    let failure: Failure | undefined
    for (const state of states) {
      const { rule } = state
      if (rule.ops && !rule.ops.has(op)) continue
      const key = keys.length === 0 ? (rule.matches('') ? '' : undefined) : keys.find(rule.matches)
      if (key === undefined) continue
      state.matched++
      if (state.matched <= rule.skip || state.fired >= rule.times) continue
      if (rule.probability < 1 && random() >= rule.probability) continue
      state.fired++
      injected++
      if (rule.latencyMs) {
        const [min, max] = rule.latencyMs
        delay += min + (max > min ? random() * (max - min) : 0)
      }
      if (rule.error !== undefined) {
        failure = { error: makeError(rule.error, op, key), when: rule.when }
        break
      }
    }
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    return failure
  }

  async function call<T>(op: StoreOperation, keys: readonly string[], run: () => Promise<T>): Promise<T> {
    const failure = await inject(op, keys)
    if (failure?.when === 'before') throw failure.error
    const result = await run()
    if (failure) throw failure.error
    return result
  }

  async function* list(prefix: string): AsyncGenerator<string> {
    validatePrefix(prefix)
    const failure = await inject('list', [prefix])
    if (failure?.when === 'before') throw failure.error
    if (!failure) {
      yield* inner.list(prefix)
      return
    }
    const iterator = inner.list(prefix)[Symbol.asyncIterator]()
    try {
      await iterator.next()
    } finally {
      await iterator.return?.()
    }
    throw failure.error
  }

  const store: FaultyStore = {
    description: inner.description,
    capabilities: inner.capabilities,
    get: async (key: string) => call('get', [validateKey(key)], () => inner.get(key)),
    getRange: async (key: string, range: ByteRange) => {
      validateRange(range)
      return call('getRange', [validateKey(key)], () => inner.getRange(key, range))
    },
    put: async (key: string, bytes: Uint8Array) =>
      call('put', [validateKey(key)], () => inner.put(key, bytes)),
    create: async (key: string, bytes: Uint8Array) =>
      call('create', [validateKey(key)], () => inner.create(key, bytes)),
    list,
    delete: async (keys: readonly string[]) => {
      for (const key of keys) validateKey(key)
      return call('delete', keys, () => inner.delete(keys))
    },
    setFaults(rules) {
      states = statesOf(rules)
    },
    get injected() {
      return injected
    },
  }
  if (inner.close) store.close = () => inner.close!()
  return store
}

function statesOf(rules: readonly FaultRule[]): RuleState[] {
  return compileFaultRules(rules).map((rule) => ({ rule, matched: 0, fired: 0 }))
}

function makeError(error: NonNullable<CompiledRule['error']>, op: StoreOperation, key: string): Error {
  if (typeof error === 'function') return error()
  return new VarveError(error, `Injected fault: ${op} ${key} (${error})`, {
    details: { injected: true, op, key },
  })
}

/** A small, fast, seedable generator of floats in [0, 1) (Mulberry32), so fault runs repeat. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
