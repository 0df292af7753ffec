/**
 * Fetches items that will be asked for in index order, up to `ahead` indexes
 * past the one last asked for, so fetching runs on while the caller works on
 * what it got (a copy writing chunks to a disk while the next ones download);
 * how many run at once is `fetch`'s business (see `createLimiter`). Asking for
 * index i starts what is missing up to i + `ahead` and resolves to item i;
 * each item is handed out once and then forgotten, so memory holds at most
 * `ahead` + 1 fetched items besides those in the caller's hands. A fetch
 * started ahead and never asked for is not waited on, and its failure is
 * reported only to whoever asks.
 */
export function readAhead<T>(
  count: number,
  ahead: number,
  fetch: (index: number) => Promise<T>,
): (index: number) => Promise<T> {
  const started = new Map<number, Promise<T>>()
  let next = 0
  const start = (index: number) => {
    const promise = fetch(index)
    // Rejections reach the caller who asks for the index; one started ahead and never asked for is no unhandled one.
    promise.catch(() => undefined)
    started.set(index, promise)
  }
  return (index) => {
    for (; next <= Math.min(count - 1, index + ahead); next++) start(next)
    if (!started.has(index)) start(index)
    const promise = started.get(index)!
    started.delete(index)
    return promise
  }
}
