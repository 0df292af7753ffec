const MAX_TEXT = 40

/** A short, readable rendering of any value for error messages: `"abc"`, `12n`, `null`, `a Float64Array`. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const quoted = JSON.stringify(value)
      return quoted.length > MAX_TEXT ? `${quoted.slice(0, MAX_TEXT - 2)}…"` : quoted
    }
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'boolean':
      return String(value)
    case 'undefined':
      return 'undefined'
    case 'object': {
      if (value === null) return 'null'
      if (value instanceof Date)
        return Number.isNaN(value.getTime()) ? 'an Invalid Date' : `Date ${value.toISOString()}`
      if (Array.isArray(value)) return 'an array'
      const name = value.constructor?.name
      return name === undefined || name === 'Object'
        ? 'an object'
        : `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`
    }
    default:
      return `a ${typeof value}`
  }
}
