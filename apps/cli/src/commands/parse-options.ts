import { InvalidArgumentError } from 'commander'

/** A whole number ≥ 0 (commander reports the refusal as a usage error). */
export function parseCount(text: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${text}".`)
  }
  return value
}

/** A comma-separated list of names. */
export function parseList(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  if (names.length === 0) throw new InvalidArgumentError('expected one or more comma-separated names.')
  return names
}

/**
 * A revision id (or prefix) or an instant. Text that parses as an ISO date
 * (it starts with four digits and a dash) is an instant; anything else a revision.
 */
export function parseAt(text: string): string | Date {
  if (!/^\d{4}-\d{2}/.test(text)) return text
  const time = new Date(text)
  if (Number.isNaN(time.getTime())) throw new InvalidArgumentError(`"${text}" is not an ISO-8601 date-time.`)
  return time
}

/** A duration such as `90s`, `15m`, `1h`, `2d` or a number of milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text)
  if (match === null)
    throw new InvalidArgumentError(`expected a duration such as 30m, 1h or 2d, got "${text}".`)
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!
  return Number(match[1]) * factor
}
