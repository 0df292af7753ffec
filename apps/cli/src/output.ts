import type { Session } from './session.ts'

/** Prints a command's result: `value` as one JSON document with `--json`, else `text()` for people. */
export function emit(session: Session, value: unknown, text: () => string): void {
  process.stdout.write(session.json ? `${JSON.stringify(value, jsonReplacer)}\n` : `${text()}\n`)
}

/** JSON for values Varve returns: bigints as numbers when exact, else as strings; NaN and ±Infinity as strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString()
  }
  return value
}

/** A line for people on stderr (progress notes), never mixed into stdout's data; silent with `--json`. */
export function note(session: Session, text: string): void {
  if (!session.json && session.progress !== 'none') process.stderr.write(`${text}\n`)
}
