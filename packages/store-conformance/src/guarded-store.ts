import { type Store, VarveError } from '@varve/core'
import { ConformanceError } from './assert.ts'
import { describeBytes } from './bytes.ts'

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return `${typeof error} ${String(error)}`
}

function notVarve(call: string, error: unknown): ConformanceError {
  return new ConformanceError(
    `${call} threw ${describeError(error)}, which is not a VarveError: a store must translate every ` +
      'failure into a VarveError with a code (see ErrorCode in @varve/core), keeping the original as the cause',
    { cause: error },
  )
}

async function guard<T>(call: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    if (VarveError.is(error) || error instanceof ConformanceError) throw error
    throw notVarve(call, error)
  }
}

/** Reads: a missing key is undefined, never a NotFound error. */
async function guardRead(
  call: string,
  read: () => Promise<Uint8Array | undefined>,
): Promise<Uint8Array | undefined> {
  try {
    return bytesOrUndefined(call, await guard(call, read))
  } catch (error) {
    if (!VarveError.is(error, 'NotFound')) throw error
    throw new ConformanceError(
      `${call} threw NotFound (${error.message}); a missing key must read as undefined, absence is not an error`,
      { cause: error },
    )
  }
}

function bytesOrUndefined(call: string, result: unknown): Uint8Array | undefined {
  if (result === undefined || result instanceof Uint8Array) return result
  throw new ConformanceError(`${call} returned ${describeBytes(result)}; expected a Uint8Array or undefined`)
}

async function* guardList(store: Store, prefix: string): AsyncGenerator<string> {
  const call = `store.list(${JSON.stringify(prefix)})`
  const iterator = await guard(call, async () => store.list(prefix)[Symbol.asyncIterator]())
  let finished = false
  try {
    for (;;) {
      const step = await guard(call, () => iterator.next())
      if (step.done) {
        finished = true
        return
      }
      if (typeof step.value !== 'string') {
        throw new ConformanceError(
          `${call} yielded ${typeof step.value} ${String(step.value)}; expected keys`,
        )
      }
      yield step.value
    }
  } finally {
    // A consumer that stops early must still let the store release its listing (open pages, handles).
    if (!finished) await guard(call, async () => iterator.return?.())
  }
}

/**
 * The store, seen through a layer that turns every error that is not a VarveError (a raw SDK or
 * Node error) and every result of the wrong type into a failed check naming the call.
 */
export function guardStore(store: Store): Store {
  const at = (op: string, key: unknown) => `store.${op}(${JSON.stringify(key)})`
  const guarded: Store = {
    description: store.description,
    get capabilities() {
      return store.capabilities
    },
    get: (key) => guardRead(at('get', key), () => store.get(key)),
    getRange: (key, range) =>
      guardRead(`store.getRange(${JSON.stringify(key)}, ${JSON.stringify(range)})`, () =>
        store.getRange(key, range),
      ),
    put: (key, bytes) => guard(at('put', key), () => store.put(key, bytes)),
    create: (key, bytes) => guard(at('create', key), () => store.create(key, bytes)),
    list: (prefix) => guardList(store, prefix),
    delete: (keys) => guard(`store.delete([${keys.length} keys])`, () => store.delete(keys)),
  }
  const { readInto } = store
  if (readInto !== undefined) {
    guarded.readInto = async (key, target) => {
      const call = `${at('readInto', key)} into ${target.length} bytes`
      const count: unknown = await guard(call, async () => readInto.call(store, key, target))
      if (
        count === undefined ||
        (Number.isSafeInteger(count) && (count as number) >= 0 && (count as number) <= target.length)
      )
        return count as number | undefined
      throw new ConformanceError(
        `${call} returned ${String(count)}; expected a count from 0 to ${target.length} or undefined`,
      )
    }
  }
  return guarded
}

/** Throws unless the store declares its capabilities as booleans, as the contract asks. */
export function ensureCapabilities(store: Store): void {
  const capabilities: unknown = store?.capabilities
  const declared = capabilities as Partial<Record<string, unknown>> | undefined
  if (typeof declared?.atomicCreate !== 'boolean' || typeof declared.rangeRead !== 'boolean') {
    throw new ConformanceError(
      `The store ${store?.description} declares capabilities ${JSON.stringify(capabilities)}; ` +
        'expected { atomicCreate: boolean, rangeRead: boolean }',
    )
  }
}
