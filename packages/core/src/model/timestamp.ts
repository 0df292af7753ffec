import type { TimeUnit } from './column-types.ts'

/** How many units make one second. */
export const UNITS_PER_SECOND: Readonly<Record<TimeUnit, bigint>> = {
  s: 1n,
  ms: 1_000n,
  us: 1_000_000n,
  ns: 1_000_000_000n,
}

/** How many digits after the second a unit holds. */
const FRACTION_DIGITS: Readonly<Record<TimeUnit, number>> = { s: 0, ms: 3, us: 6, ns: 9 }

export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n

const SECONDS_PER_DAY = 86_400

// Date only, or date-time with minutes and optional seconds, fraction and zone: RFC 3339 plus
// its common relaxations (space for 'T', no seconds, no zone, '+hhmm' and '+hh' offsets).
const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

/**
 * Parses an ISO-8601 date or date-time into a count of `unit` since the epoch.
 * Without a zone the text is read as UTC. The fraction is parsed exactly (no
 * trip through Date), so nanoseconds survive; a fraction finer than `unit`
 * is refused rather than truncated. Returns a reason (string) when the text
 * is not a valid time that `unit` can hold.
 */
export function parseTimestamp(text: string, unit: TimeUnit): bigint | string {
  const match = ISO_PATTERN.exec(text)
  if (match === null) {
    return 'is not an ISO-8601 date or date-time (like 2020-01-31 or 2020-01-31T12:00:00Z)'
  }
  const [
    ,
    yearText,
    monthText,
    dayText,
    hourText,
    minuteText,
    secondText,
    fraction,
    zulu,
    sign,
    offsetHours,
    offsetMinutes,
  ] = match
  const year = Number(yearText)
  const month = Number(monthText)
  const day = Number(dayText)
  if (month < 1 || month > 12) return `has month ${monthText}; months run from 01 to 12`
  const monthDays = daysInMonth(year, month)
  if (day < 1 || day > monthDays) {
    return `is not a valid date (${MONTH_NAMES[month - 1]} ${year} has ${monthDays} days)`
  }
  const hour = Number(hourText ?? 0)
  const minute = Number(minuteText ?? 0)
  const second = Number(secondText ?? 0)
  if (hour > 23) return 'has an hour past 23'
  if (minute > 59) return 'has a minute past 59'
  if (second > 59) return 'has a second past 59 (leap seconds are not represented)'
  let offsetSeconds = 0
  if (sign !== undefined && zulu === undefined) {
    const hours = Number(offsetHours)
    const minutes = Number(offsetMinutes ?? 0)
    if (hours > 23 || minutes > 59) return 'has an invalid UTC offset'
    offsetSeconds = (sign === '-' ? -1 : 1) * (hours * 3600 + minutes * 60)
  }
  const digits = FRACTION_DIGITS[unit]
  const fractionText = fraction ?? ''
  if (/[1-9]/.test(fractionText.slice(digits))) {
    return `has a fraction of a second finer than timestamp[${unit}] can hold (${digits} digits after the second)`
  }
  const fractionUnits = digits === 0 ? 0n : BigInt(fractionText.slice(0, digits).padEnd(digits, '0'))
  const seconds =
    daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offsetSeconds
  const value = BigInt(seconds) * UNITS_PER_SECOND[unit] + fractionUnits
  if (value < INT64_MIN || value > INT64_MAX) return `is outside the range timestamp[${unit}] can hold`
  return value
}

/**
 * Formats a count of `unit` since the epoch as an ISO-8601 UTC string with
 * as many fraction digits as the unit holds: `2020-01-01T00:00:00Z` (s),
 * `2020-01-01T00:00:00.000Z` (ms, as Date#toISOString), 6 digits for us, 9 for ns.
 */
export function formatTimestamp(value: bigint, unit: TimeUnit): string {
  const perSecond = UNITS_PER_SECOND[unit]
  const seconds = floorDiv(value, perSecond)
  const fraction = value - seconds * perSecond
  const days = Number(floorDiv(seconds, BigInt(SECONDS_PER_DAY)))
  const secondOfDay = Number(seconds - BigInt(days) * BigInt(SECONDS_PER_DAY))
  const [year, month, day] = civilFromDays(days)
  const yearText =
    year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`
  const time = `${pad(Math.floor(secondOfDay / 3600), 2)}:${pad(Math.floor(secondOfDay / 60) % 60, 2)}:${pad(secondOfDay % 60, 2)}`
  const digits = FRACTION_DIGITS[unit]
  const fractionText = digits === 0 ? '' : `.${fraction.toString().padStart(digits, '0')}`
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}T${time}${fractionText}Z`
}

/**
 * Converts milliseconds since the epoch (a Date's time) to `unit`, or returns
 * undefined when `unit` is seconds and the time has a millisecond part.
 */
export function epochMillisecondsToUnit(milliseconds: number, unit: TimeUnit): bigint | undefined {
  const value = BigInt(milliseconds)
  if (unit === 's') return value % 1000n === 0n ? value / 1000n : undefined
  return unit === 'ms' ? value : value * (UNITS_PER_SECOND[unit] / 1000n)
}

/** Milliseconds since the epoch of a `unit` count, sub-millisecond parts floored. */
export function unitToEpochMilliseconds(value: bigint, unit: TimeUnit): number {
  if (unit === 's') return Number(value * 1000n)
  if (unit === 'ms') return Number(value)
  return Number(floorDiv(value, UNITS_PER_SECOND[unit] / 1000n))
}

function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b
  return a % b < 0n ? quotient - 1n : quotient
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

// Days since 1970-01-01 in the proleptic Gregorian calendar, and back:
// https://howardhinnant.github.io/date_algorithms.html
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  return [year, month, day]
}
