import { VarveError } from '../errors/varve-error.ts'

/**
 * A hybrid logical clock value: wall-clock milliseconds plus a counter that
 * orders events within one millisecond, or events whose wall clock lags behind
 * what they have observed.
 */
export interface HlcTimestamp {
  readonly wallMs: number
  readonly counter: number
}

/** The counter fits in 16 bits; past it the clock borrows the next millisecond. */
const MAX_COUNTER = 0xffff
const WALL_DIGITS = 12
const COUNTER_DIGITS = 4
export const HLC_TEXT_LENGTH = WALL_DIGITS + COUNTER_DIGITS

/**
 * A clock that never goes backwards and always moves past what it observed:
 * `tick(observed)` returns a timestamp greater than the previous tick and
 * greater than every observed timestamp, whatever the machine's wall clock says.
 */
export class HybridLogicalClock {
  #last: HlcTimestamp = { wallMs: 0, counter: 0 }
  readonly #wallClock: () => number

  constructor(wallClock: () => number = Date.now) {
    this.#wallClock = wallClock
  }

  tick(...observed: readonly HlcTimestamp[]): HlcTimestamp {
    let latest = this.#last
    for (const other of observed) if (compareHlc(other, latest) > 0) latest = other
    const wallMs = Math.floor(this.#wallClock())
    const next =
      wallMs > latest.wallMs
        ? { wallMs, counter: 0 }
        : latest.counter < MAX_COUNTER
          ? { wallMs: latest.wallMs, counter: latest.counter + 1 }
          : { wallMs: latest.wallMs + 1, counter: 0 }
    this.#last = next
    return next
  }
}

export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  return a.wallMs - b.wallMs || a.counter - b.counter
}

/** Fixed-width lowercase hex, so that text order is clock order. */
export function formatHlc(t: HlcTimestamp): string {
  return (
    t.wallMs.toString(16).padStart(WALL_DIGITS, '0') + t.counter.toString(16).padStart(COUNTER_DIGITS, '0')
  )
}

export function parseHlc(text: string): HlcTimestamp {
  if (text.length !== HLC_TEXT_LENGTH || !/^[0-9a-f]+$/.test(text)) {
    throw new VarveError('Integrity', `Malformed clock value ${JSON.stringify(text)} in a revision id.`)
  }
  return {
    wallMs: Number.parseInt(text.slice(0, WALL_DIGITS), 16),
    counter: Number.parseInt(text.slice(WALL_DIGITS), 16),
  }
}
