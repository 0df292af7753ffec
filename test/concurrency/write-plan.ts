import { seededRandom } from '../support/seeded-random.ts'

/** Where the writes land: `own-<p>` per process, and one series every process overlaps. */
export const SHARED = 'shared'
const START = Date.UTC(2020, 0, 1)
const SECOND = 1000

/** The code a write leaves in its rows: which process, which write. */
export const codeOf = (process: number, write: number) => process * 1000 + write

/** The seconds write `write` of process `process` covers in the shared series: a run of 1 to 20 within the first 200. */
export function sharedSeconds(process: number, write: number): number[] {
  const random = seededRandom(1 + process * 7919 + write * 104729)
  const first = Math.floor(random() * 180)
  return Array.from({ length: 1 + Math.floor(random() * 20) }, (_, k) => first + k)
}

/**
 * The batch write `write` of process `process`: one row at second `write` of
 * `own-<process>`, and a run of rows of the shared series, every value the
 * write's code.
 */
export function batchOf(process: number, write: number) {
  const seconds = sharedSeconds(process, write)
  return {
    [`own-${process}`]: { timestamp: [START + write * SECOND], value: [codeOf(process, write)] },
    [SHARED]: {
      timestamp: seconds.map((s) => START + s * SECOND),
      value: seconds.map(() => codeOf(process, write)),
    },
  }
}

/** A write as a writer process reports it: the revision it made. */
export interface MadeWrite {
  readonly process: number
  readonly write: number
  readonly revision: string
}

/**
 * The shared series last-writer-wins must leave: the writes replayed in the
 * order of their revision ids (the hybrid-logical-clock order), each replacing
 * the seconds it covers. Returns timestamp (ms) → code, in time order.
 */
export function expectedShared(writes: readonly MadeWrite[]): Map<number, number> {
  const bySecond = new Map<number, number>()
  for (const w of [...writes].sort((a, b) => (a.revision < b.revision ? -1 : 1))) {
    for (const s of sharedSeconds(w.process, w.write)) bySecond.set(s, codeOf(w.process, w.write))
  }
  return new Map([...bySecond].sort(([a], [b]) => a - b).map(([s, code]) => [START + s * SECOND, code]))
}

/** What `own-<process>` must hold after `writes` writes: timestamp (ms) → code. */
export function expectedOwn(process: number, writes: number): Map<number, number> {
  return new Map(Array.from({ length: writes }, (_, i) => [START + i * SECOND, codeOf(process, i)]))
}
