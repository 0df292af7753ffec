import type { Revision } from '../changelog/changelog.ts'
import type { Frame } from '../model/frame.ts'
import type { IndexValue } from '../model/index-value.ts'

export type MergeStrategy = 'last-writer-wins' | 'fail'

export interface MergeOptions {
  /**
   * `'last-writer-wins'` (default): where branches wrote overlapping ranges, the
   * write with the later clock wins, as if every branch's writes since their
   * common ancestor were replayed in clock order. `'fail'`: if any series was
   * changed differently on two branches in overlapping ranges, throw
   * `MergeConflict` listing every one, and write nothing.
   */
  readonly strategy?: MergeStrategy
  /**
   * Your own rule, called once per conflict (with the default strategy): return
   * the rows the series should hold in the conflict's range (a Frame or columns,
   * every index value inside `[start, stop]`; empty to hold none there), or
   * undefined to keep the last writer's. The merge revision records what you
   * returned, so later merges keep it.
   */
  readonly resolve?: (conflict: MergeConflict) => MergeResolution | Promise<MergeResolution>
}

/** What a resolver returns: rows for the conflict's range, or undefined for the default. */
export type MergeResolution = Frame | Readonly<Record<string, unknown>> | undefined

export interface MergeResult {
  /** The merge revision, or the single head when there was nothing to merge. */
  readonly revision: Revision | undefined
  /** The heads that were joined (empty when there was one head or none). */
  readonly merged: readonly string[]
  /** Labels whose data the merge recomputed. */
  readonly series: readonly string[]
}

/** Two branches changed one series differently in overlapping ranges (of the first index column). */
export interface MergeConflict {
  readonly label: string
  readonly start: IndexValue | undefined
  readonly stop: IndexValue | undefined
  /** The two revisions whose changes collide. */
  readonly revisions: readonly [string, string]
  /** What each of the two left in the range: its rows, or undefined for a delete. */
  readonly rows: readonly [Frame | undefined, Frame | undefined]
}
