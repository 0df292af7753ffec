import { createLimiter } from '../util/limiter.ts'

/** An object of a copy, by its hash, with the hashes of the objects it points at. */
export interface LinkedObject {
  readonly hash: string
  readonly pointsAt?: readonly string[]
}

/**
 * Puts the objects of a copy, `concurrency` at once, each once every object
 * it points at among them has landed: a destination never holds an object
 * without what it points at, as landing level by level ensured, but a small
 * object whose referents are there takes a free slot at once instead of
 * waiting for the last large object of the level before, so the pool stays
 * full to the end. `objects` come in an order where each follows what it
 * points at (chunks, series indexes, tree nodes by height). After the first
 * failure no put starts (objects pointing at the failed one never do); it
 * rejects with that failure once the running puts settle.
 */
export async function putInOrder(
  objects: readonly LinkedObject[],
  concurrency: number,
  put: (index: number) => Promise<void>,
): Promise<void> {
  const limited = createLimiter(concurrency)
  const landed = new Map<string, Promise<void>>()
  let failure: { error: unknown } | undefined
  const tasks = objects.map((object, index) => {
    const waits = (object.pointsAt ?? []).flatMap((hash) => landed.get(hash) ?? [])
    const task = Promise.all(waits).then(() =>
      limited(async () => {
        if (failure) throw failure.error
        try {
          await put(index)
        } catch (error) {
          // Noted before the slot is freed: the next in line must not start.
          failure ??= { error }
          throw error
        }
      }),
    )
    // Settled below; a task that only waited on a failed one adds nothing to report.
    task.catch(() => undefined)
    landed.set(object.hash, task)
    return task
  })
  await Promise.allSettled(tasks)
  if (failure) throw failure.error
}
