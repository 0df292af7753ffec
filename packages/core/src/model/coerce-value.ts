import { VarveError } from '../errors/varve-error.ts'
import type { TimeUnit } from './column-types.ts'
import { describeValue } from './describe-value.ts'
import { epochMillisecondsToUnit, INT64_MAX, INT64_MIN, parseTimestamp } from './timestamp.ts'

/**
 * Where a value came from, for error messages: a column and row of a batch,
 * or (row -1) a single value such as a read's bound, described by `label`.
 */
export interface ValueSite {
  readonly column: string
  readonly label?: string
}

export const UINT64_MAX = 2n ** 64n - 1n

/** Throws VarveError 'InvalidArgument' naming the column and row (or the label for a single value). */
export function invalidValue(site: ValueSite, row: number, message: string): never {
  const where =
    row >= 0
      ? `Column "${site.column}", row ${row}`
      : `${site.label ?? 'Index value'} for column "${site.column}"`
  throw new VarveError('InvalidArgument', `${where}: ${message}`, {
    details: row >= 0 ? { column: site.column, row } : { column: site.column },
  })
}

function got(value: unknown): string {
  return value === null || value === undefined
    ? `got ${value}; missing values are not supported (every row needs a value)`
    : `got ${describeValue(value)}`
}

/** An int8..uint32 value as a number, checked to be an integer within [min, max]. */
export function toSmallInteger(
  value: unknown,
  type: string,
  min: number,
  max: number,
  site: ValueSite,
  row: number,
): number {
  let number: number
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      invalidValue(site, row, `expected an integer for ${type}, got ${describeValue(value)}.`)
    number = value
  } else if (typeof value === 'bigint') {
    number = value < BigInt(min) || value > BigInt(max) ? Number.NaN : Number(value)
  } else {
    return invalidValue(site, row, `expected an integer (number or bigint), ${got(value)}.`)
  }
  if (!(number >= min && number <= max)) {
    invalidValue(site, row, `${describeValue(value)} is out of range for ${type} (${min} to ${max}).`)
  }
  return number
}

/** An int64/uint64 value as a bigint; numbers must be safe integers (beyond 2^53 they already lost digits). */
export function toBigInteger(value: unknown, signed: boolean, site: ValueSite, row: number): bigint {
  let big: bigint
  if (typeof value === 'bigint') {
    big = value
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      invalidValue(
        site,
        row,
        `expected an integer for ${signed ? 'int64' : 'uint64'}, got ${describeValue(value)}.`,
      )
    }
    if (!Number.isSafeInteger(value)) {
      invalidValue(
        site,
        row,
        `${describeValue(value)} is beyond ±(2^53-1), where numbers cannot hold every integer; pass a bigint.`,
      )
    }
    big = BigInt(value)
  } else {
    return invalidValue(site, row, `expected an integer (number or bigint), ${got(value)}.`)
  }
  const [min, max] = signed ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX]
  if (big < min || big > max) {
    invalidValue(
      site,
      row,
      `${describeValue(value)} is out of range for ${signed ? 'int64' : 'uint64'} (${min} to ${max}).`,
    )
  }
  return big
}

const FLOAT32_MAX = 3.4028234663852886e38

/** A float value: any number, NaN and infinities included; a finite number beyond float32's range is refused. */
export function toFloat(value: unknown, float32: boolean, site: ValueSite, row: number): number {
  if (typeof value !== 'number') {
    const hint =
      typeof value === 'bigint' ? ' (convert bigints with Number() if losing precision is acceptable)' : ''
    return invalidValue(site, row, `expected a number, ${got(value)}${hint}.`)
  }
  if (float32 && Math.abs(value) > FLOAT32_MAX && Number.isFinite(value)) {
    invalidValue(site, row, `${describeValue(value)} is out of range for float32 (±${FLOAT32_MAX}).`)
  }
  return value
}

/**
 * A timestamp as a count of `unit`: an ISO-8601 string (UTC when it names
 * no zone), a Date, an integer number already in the unit, or a bigint.
 */
export function toTimestamp(value: unknown, unit: TimeUnit, site: ValueSite, row: number): bigint {
  if (typeof value === 'string') {
    const parsed = parseTimestamp(value, unit)
    return typeof parsed === 'bigint' ? parsed : invalidValue(site, row, `${describeValue(value)} ${parsed}.`)
  }
  if (value instanceof Date) {
    const time = value.getTime()
    if (Number.isNaN(time)) return invalidValue(site, row, 'got an Invalid Date.')
    const converted = epochMillisecondsToUnit(time, unit)
    if (converted === undefined) {
      invalidValue(site, row, `${describeValue(value)} has milliseconds, which timestamp[s] cannot hold.`)
    }
    return converted
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      invalidValue(
        site,
        row,
        Number.isInteger(value)
          ? `${describeValue(value)} is beyond ±(2^53-1), where numbers cannot hold every integer; pass a bigint.`
          : `expected a whole number of ${unit} for timestamp[${unit}], got ${describeValue(value)}.`,
      )
    }
    return BigInt(value)
  }
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) {
      invalidValue(site, row, `${describeValue(value)} is out of the 64-bit range of timestamp[${unit}].`)
    }
    return value
  }
  return invalidValue(
    site,
    row,
    `expected an ISO-8601 string, a Date, an integer number of ${unit} or a bigint, ${got(value)}.`,
  )
}

export function toBool(value: unknown, site: ValueSite, row: number): boolean {
  return typeof value === 'boolean' ? value : invalidValue(site, row, `expected a boolean, ${got(value)}.`)
}

/** A string; one holding a lone surrogate is refused since it has no UTF-8 encoding. */
export function toStr(value: unknown, site: ValueSite, row: number): string {
  if (typeof value !== 'string') return invalidValue(site, row, `expected a string, ${got(value)}.`)
  if (!value.isWellFormed()) {
    invalidValue(
      site,
      row,
      'the string holds a lone surrogate (it is not valid Unicode), so it has no UTF-8 encoding.',
    )
  }
  return value
}
