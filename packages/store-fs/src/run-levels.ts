import { forEachLimited } from '@varve/core'

/** The steps of a levelled write (see `runLevels`). */
export interface LevelSteps<T> {
  /** Makes an entry ready to land (written and flushed aside, invisible); may run far ahead of landing. */
  prepare(level: number, index: number): Promise<T>
  /** Makes a prepared entry visible. */
  land(level: number, index: number, prepared: T): Promise<void>
  /** Makes every entry the level landed durable; the next level lands only after it. */
  seal(level: number): Promise<void>
}

/**
 * Runs a levelled write: `prepare` for every entry of every level,
 * `concurrency` at once and in level order, without waiting for earlier
 * levels to land; `land` for each prepared entry, `concurrency` at once, once
 * every earlier level is sealed; `seal` for a level once all its entries have
 * landed. After the first failure no new step starts; it rejects with that
 * failure once every running step has settled, so the caller may then remove
 * what the prepared entries left aside.
 */
export async function runLevels<T>(sizes: readonly number[], concurrency: number, steps: LevelSteps<T>) {
  let failure: { error: unknown } | undefined
  const fail = (error: unknown) => {
    failure ??= { error }
  }
  const slots = sizes.map((size) => Array.from({ length: size }, () => slot<T>()))
  const order = sizes.flatMap((size, level) =>
    Array.from({ length: size }, (_, index) => [level, index] as const),
  )
  const preparing = forEachLimited(order, concurrency, async ([level, index]) => {
    if (failure) return
    try {
      slots[level]![index]!.resolve(await steps.prepare(level, index))
    } catch (error) {
      fail(error)
      throw error
    }
  })
    .catch(fail)
    // Entries never prepared (after a failure) release the landings waiting for them.
    .finally(() => {
      for (const level of slots) for (const waiting of level) waiting.reject(failure?.error)
    })
  const landing = (async () => {
    for (const [level, size] of sizes.entries()) {
      await forEachLimited(range(size), concurrency, async (index) => {
        const prepared = await slots[level]![index]!.promise
        if (!failure) await steps.land(level, index, prepared)
      })
      if (failure) return
      await steps.seal(level)
    }
  })().catch(fail)
  await Promise.all([preparing, landing])
  if (failure) throw failure.error
}

interface Slot<T> {
  readonly promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

/** A promise resolved from outside; settling it again does nothing, and a rejection nobody awaits is no unhandled one. */
function slot<T>(): Slot<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}

function range(size: number): number[] {
  return Array.from({ length: size }, (_, i) => i)
}
