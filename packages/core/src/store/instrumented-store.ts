import type { ByteRange, CreateEntry, Store, StoreOperation } from './store.ts'

/** What one operation of a store has cost so far. */
export interface OperationStats {
  /** Calls made (for `list`: listings whose iteration started), failed ones included. */
  requests: number
  /** Bytes returned by `get`/`getRange`, or sent by `put`/`create`. */
  bytes: number
  /** Keys touched: 1 per `get`/`getRange`/`put`/`create`, n per `delete`, and the keys a listing yielded. */
  keys: number
  /** Calls that threw. */
  errors: number
}

/** Stats per operation, and their sum under `total`. */
export type StoreStats = Record<StoreOperation, OperationStats> & { total: OperationStats }

/** A store that counts what is asked of the store it wraps. */
export interface InstrumentedStore extends Store {
  /** A snapshot: later calls do not change the object returned. */
  stats(): StoreStats
  /** Sets every count back to zero. */
  resetStats(): void
}

const operations: readonly StoreOperation[] = ['get', 'getRange', 'put', 'create', 'list', 'delete']

const zero = (): OperationStats => ({ requests: 0, bytes: 0, keys: 0, errors: 0 })

/**
 * Wraps `inner` and counts, per operation, the requests made, bytes moved, keys
 * touched and errors thrown: the basis of cost accounting and benchmarks
 * ("reading the latest of one series costs N requests").
 *
 * A call counts its request and keys when it is made, whether or not it
 * succeeds; `put`/`create` count the bytes sent when they are made,
 * `get`/`getRange` the bytes returned when they succeed. A call of `list` counts
 * one request when its iteration starts (that is when a store asks its backend;
 * a listing never iterated costs nothing), and one key per key yielded, so a
 * consumer that stops early is charged only for what it took. Errors are counted and re-thrown
 * unchanged. `createInOrder` is there when `inner` has it, and counts as
 * the `create`s it stands for: per entry one request, one key and its bytes
 * (bytes given as a function counted as the store reads them; one error when it throws). `description`, `capabilities` and `close` are
 * those of `inner`.
 */
export function createInstrumentedStore(inner: Store): InstrumentedStore {
  let counts = fresh()

  function fresh(): Record<StoreOperation, OperationStats> {
    return Object.fromEntries(operations.map((op) => [op, zero()])) as Record<StoreOperation, OperationStats>
  }

  async function count<T>(
    op: StoreOperation,
    keys: number,
    sent: number,
    call: () => Promise<T>,
    requests = 1,
  ): Promise<T> {
    const stats = counts[op]
    stats.requests += requests
    stats.keys += keys
    stats.bytes += sent
    try {
      return await call()
    } catch (error) {
      // Counted where counts stand when the call ends: resetStats may have replaced them meanwhile.
      counts[op].errors++
      throw error
    }
  }

  async function read(op: 'get' | 'getRange', call: () => Promise<Uint8Array | undefined>) {
    const bytes = await count(op, 1, 0, call)
    counts[op].bytes += bytes?.length ?? 0
    return bytes
  }

  async function* list(prefix: string): AsyncGenerator<string> {
    counts.list.requests++
    try {
      for await (const key of inner.list(prefix)) {
        counts.list.keys++
        yield key
      }
    } catch (error) {
      counts.list.errors++
      throw error
    }
  }

  const store: InstrumentedStore = {
    description: inner.description,
    capabilities: inner.capabilities,
    get: (key: string) => read('get', () => inner.get(key)),
    getRange: (key: string, range: ByteRange) => read('getRange', () => inner.getRange(key, range)),
    put: (key: string, bytes: Uint8Array) => count('put', 1, bytes?.length ?? 0, () => inner.put(key, bytes)),
    create: (key: string, bytes: Uint8Array) =>
      count('create', 1, bytes?.length ?? 0, () => inner.create(key, bytes)),
    list,
    delete: (keys: readonly string[]) => count('delete', keys?.length ?? 0, 0, () => inner.delete(keys)),

    stats() {
      const total = zero()
      const snapshot = { total } as StoreStats
      for (const op of operations) {
        const stats = { ...counts[op] }
        snapshot[op] = stats
        total.requests += stats.requests
        total.bytes += stats.bytes
        total.keys += stats.keys
        total.errors += stats.errors
      }
      return snapshot
    },

    resetStats() {
      counts = fresh()
    },
  }
  const createInOrder = inner.createInOrder?.bind(inner)
  if (createInOrder) {
    store.createInOrder = (levels, options) => {
      const entries = (levels ?? []).flat()
      const sent = entries.reduce(
        (sum, [, bytes]) => sum + (typeof bytes === 'function' ? 0 : (bytes?.length ?? 0)),
        0,
      )
      // Bytes a function gives are counted as the store takes them.
      const counted = (levels ?? []).map((level) =>
        level.map(([key, bytes]): CreateEntry => {
          if (typeof bytes !== 'function') return [key, bytes]
          return [
            key,
            async () => {
              const taken = await bytes()
              counts.create.bytes += taken?.length ?? 0
              return taken
            },
          ]
        }),
      )
      return count('create', entries.length, sent, () => createInOrder(counted, options), entries.length)
    }
  }
  if (inner.close) store.close = () => inner.close!()
  return store
}
