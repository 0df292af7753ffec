import { Frame, Schema, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'

function errorOf(run: () => unknown): VarveError {
  try {
    run()
  } catch (error) {
    if (VarveError.is(error)) return error
    throw error
  }
  throw new Error('expected a VarveError')
}

/** Coerces `values` into the column `v` of a schema indexed by an int32 row number. */
function coerceValues(type: string, values: ArrayLike<unknown>) {
  const schema = new Schema({ i: 'int32*', v: type })
  return schema.coerce({ i: Int32Array.from({ length: values.length }, (_, k) => k), v: values }).column('v')
}

function timestamp(text: string, unit = 'ms'): bigint {
  return new Schema({ t: `timestamp[${unit}]*` }).coerce({ t: [text] }).column('t')[0] as bigint
}

describe('coercion of each type', () => {
  it('coerces small ints from integer numbers, bigints and other typed arrays', () => {
    expect(coerceValues('int8', [-128, 0n, 127])).toEqual(new Int8Array([-128, 0, 127]))
    expect(coerceValues('int16', new Float64Array([1, -2]))).toEqual(new Int16Array([1, -2]))
    expect(coerceValues('int32', new BigInt64Array([5n]))).toEqual(new Int32Array([5]))
    expect(coerceValues('uint8', new Int32Array([0, 255]))).toEqual(new Uint8Array([0, 255]))
    expect(coerceValues('uint16', [65_535])).toEqual(new Uint16Array([65_535]))
    expect(coerceValues('uint32', [4_294_967_295])).toEqual(new Uint32Array([4_294_967_295]))
  })

  it('coerces 64-bit ints from bigints, safe integer numbers and integral Float64Arrays', () => {
    expect(coerceValues('int64', [2n ** 63n - 1n, -(2n ** 63n), 3])).toEqual(
      new BigInt64Array([2n ** 63n - 1n, -(2n ** 63n), 3n]),
    )
    expect(coerceValues('int64', new Float64Array([1, -2, 2 ** 53 - 1]))).toEqual(
      new BigInt64Array([1n, -2n, 2n ** 53n - 1n]),
    )
    expect(coerceValues('uint64', [2n ** 64n - 1n, 0])).toEqual(new BigUint64Array([2n ** 64n - 1n, 0n]))
    expect(coerceValues('uint64', new BigInt64Array([1n]))).toEqual(new BigUint64Array([1n]))
  })

  it('coerces floats from numbers and numeric typed arrays, NaN and infinities included', () => {
    const floats = coerceValues('float64', [1.5, Number.NaN, -Infinity, -0])
    expect(floats).toBeInstanceOf(Float64Array)
    expect([...floats]).toEqual([1.5, Number.NaN, -Infinity, -0])
    expect(coerceValues('float64', new Int32Array([1, 2]))).toEqual(new Float64Array([1, 2]))
    expect(coerceValues('float32', [0.1, 3])).toEqual(new Float32Array([0.1, 3]))
    expect(coerceValues('float32', new Float64Array([Infinity]))).toEqual(new Float32Array([Infinity]))
  })

  it('coerces bools and strings from plain arrays, copying them', () => {
    const bools = [true, false]
    expect(coerceValues('bool', bools)).toEqual([true, false])
    expect(coerceValues('bool', bools)).not.toBe(bools)
    expect(coerceValues('str', ['', 'é', '🙂'])).toEqual(['', 'é', '🙂'])
  })

  it('coerces timestamps from ISO strings, Dates, integer numbers and bigints', () => {
    const values = coerceValues('timestamp', [
      '2020-01-01',
      new Date('2020-01-01T00:00:01Z'),
      1_577_836_802_000,
      1_577_836_803_000n,
    ])
    expect(values).toEqual(
      new BigInt64Array([1_577_836_800_000n, 1_577_836_801_000n, 1_577_836_802_000n, 1_577_836_803_000n]),
    )
    expect(coerceValues('timestamp[ns]', [new Date(1)])).toEqual(new BigInt64Array([1_000_000n]))
    expect(coerceValues('timestamp[us]', [new Date(-1)])).toEqual(new BigInt64Array([-1000n]))
    expect(coerceValues('timestamp[s]', [new Date(-2000)])).toEqual(new BigInt64Array([-2n]))
  })

  it('keeps typed arrays of the column kind without copying', () => {
    const cases: [string, ArrayBufferView][] = [
      ['int8', new Int8Array(2)],
      ['int16', new Int16Array(2)],
      ['int32', new Int32Array(2)],
      ['int64', new BigInt64Array(2)],
      ['uint8', new Uint8Array(2)],
      ['uint16', new Uint16Array(2)],
      ['uint32', new Uint32Array(2)],
      ['uint64', new BigUint64Array(2)],
      ['float32', new Float32Array(2)],
      ['float64', new Float64Array(2)],
      ['timestamp[ns]', new BigInt64Array(2)],
    ]
    for (const [type, input] of cases)
      expect(coerceValues(type, input as unknown as ArrayLike<unknown>)).toBe(input)
  })

  it('views a typed array subclass such as Buffer as its plain kind, without copying', () => {
    const buffer = Buffer.from([1, 2, 3])
    const values = coerceValues('uint8', buffer) as Uint8Array
    expect(values.constructor).toBe(Uint8Array)
    expect(values.buffer).toBe(buffer.buffer)
    expect(values.byteOffset).toBe(buffer.byteOffset)
    expect([...values]).toEqual([1, 2, 3])
  })
})

describe('coercion errors name the column and the row', () => {
  it('formats the message and details', () => {
    const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
    const error = errorOf(() =>
      schema.coerce({
        timestamp: ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04'],
        value: [1, 2, 3, 'abc'],
      }),
    )
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toBe('Column "value", row 3: expected a number, got "abc".')
    expect(error.details).toEqual({ column: 'value', row: 3 })
  })

  it.each<[string, unknown[] | ArrayLike<unknown>, RegExp]>([
    ['int8', [1, 200], /200 is out of range for int8 \(-128 to 127\)/],
    ['int32', [1, 1.5], /expected an integer for int32, got 1\.5/],
    ['uint8', [0, -1], /-1 is out of range for uint8 \(0 to 255\)/],
    ['int16', [0, '3'], /expected an integer \(number or bigint\), got "3"/],
    ['int32', [0, 2n ** 40n], /1099511627776n is out of range for int32/],
    ['uint32', new Float64Array([0, 0.5]), /expected an integer for uint32, got 0\.5/],
    ['int64', [0, 2 ** 53], /9007199254740992 is beyond ±\(2\^53-1\).*pass a bigint/],
    ['int64', [0, 2n ** 63n], /out of range for int64 \(-9223372036854775808 to 9223372036854775807\)/],
    ['uint64', [0, -1n], /-1n is out of range for uint64/],
    ['uint64', new Float64Array([1, -2]), /-2 is out of range for uint64/],
    ['int64', [0, true], /expected an integer \(number or bigint\), got true/],
    ['float64', [1, 2n], /expected a number, got 2n \(convert bigints with Number\(\)/],
    ['float64', new BigInt64Array([0n, 1n]), /row 0: expected a number, got 0n/],
    ['float64', [0, '1'], /expected a number, got "1"/],
    ['float32', [0, 1e39], /1e\+39 is out of range for float32/],
    ['bool', [true, 1], /expected a boolean, got 1/],
    ['str', ['a', 5], /expected a string, got 5/],
    ['str', ['a', '\ud800x'], /lone surrogate/],
    ['str', new Float64Array(2), /row 0: expected a string, got 0/],
    ['float64', [1, null], /got null; missing values are not supported/],
    ['int32', [1, undefined], /got undefined; missing values are not supported/],
    ['str', Object.assign(new Array(3), { 0: 'a', 2: 'b' }), /row 1: expected a string, got undefined/],
    ['timestamp', ['2020-01-01', 'abc'], /"abc" is not an ISO-8601 date or date-time/],
    ['timestamp', [0, 1.5], /expected a whole number of ms for timestamp\[ms\], got 1\.5/],
    ['timestamp', [0, 2 ** 60], /beyond ±\(2\^53-1\)/],
    ['timestamp', [0, new Date(Number.NaN)], /got an Invalid Date/],
    ['timestamp[s]', [0, new Date(1500)], /has milliseconds, which timestamp\[s\] cannot hold/],
    [
      'timestamp',
      [0, true],
      /expected an ISO-8601 string, a Date, an integer number of ms or a bigint, got true/,
    ],
    ['timestamp', [0, 2n ** 63n], /out of the 64-bit range of timestamp\[ms\]/],
    ['timestamp', [0, {}], /got an object/],
  ])('refuses bad %s values', (type, values, message) => {
    const error = errorOf(() => coerceValues(type, values))
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toMatch(/^Column "v", row \d: /)
    expect(error.message).toMatch(message)
    expect(error.details.column).toBe('v')
    expect(typeof error.details.row).toBe('number')
  })

  it('refuses missing, unknown, uneven and non-array columns', () => {
    const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
    expect(errorOf(() => schema.coerce({ timestamp: [] })).message).toBe(
      'Column "value" is missing: every schema column ("timestamp", "value") must be given.',
    )
    const unknown = errorOf(() => schema.coerce({ timestamp: [], value: [], extra: [] }))
    expect(unknown.message).toBe('Unknown column "extra": the schema has columns "timestamp", "value".')
    expect(unknown.details).toEqual({ column: 'extra' })
    expect(errorOf(() => schema.coerce({ timestamp: [0, 1], value: [1, 2, 3] })).message).toBe(
      'Column "value" has 3 values but column "timestamp" has 2: every column must have the same length.',
    )
    expect(errorOf(() => schema.coerce({ timestamp: [0], value: 1 })).message).toBe(
      'Column "value": expected an array or a typed array of values, got 1.',
    )
    expect(
      errorOf(() => schema.coerce({ timestamp: [0], value: new DataView(new ArrayBuffer(8)) })).message,
    ).toMatch(/got a DataView/)
    expect(errorOf(() => schema.coerce([] as never)).message).toMatch(
      /^Expected an object mapping each column/,
    )
    expect(errorOf(() => schema.coerce(null as never)).message).toMatch(/got null/)
  })

  it('accepts a frame of the same schema and refuses another', () => {
    const schema = new Schema({ t: 'timestamp*', v: 'float64' })
    const frame = schema.coerce({ t: [1, 2], v: [3, 4] })
    const again = schema.coerce(frame)
    expect(again.equals(frame)).toBe(true)
    expect(again.columns.v).toBe(frame.columns.v)
    const other = new Schema({ t: 'timestamp[s]*', v: 'float64' })
    expect(errorOf(() => other.coerce(frame)).message).toMatch(/The frame's schema .* differs from/)
  })
})

describe('index order', () => {
  const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })

  it('accepts strictly increasing, single-row and empty input', () => {
    expect(schema.coerce({ timestamp: ['2020-01-01', '2020-01-02'], value: [1, 2] }).length).toBe(2)
    expect(schema.coerce({ timestamp: ['2020-01-01'], value: [1] }).length).toBe(1)
    expect(schema.coerce({ timestamp: [], value: [] }).length).toBe(0)
  })

  it('refuses unsorted rows, naming them', () => {
    const error = errorOf(() =>
      schema.coerce({ timestamp: ['2020-01-01', '2020-01-03', '2020-01-02'], value: [1, 2, 3] }),
    )
    expect(error.message).toBe(
      'Row 2 (timestamp = 2020-01-02T00:00:00.000Z) comes before row 1 (timestamp = 2020-01-03T00:00:00.000Z): rows must be sorted by the index (timestamp), strictly increasing. Sort them before writing.',
    )
    expect(error.details).toEqual({ column: 'timestamp', columns: ['timestamp'], rows: [1, 2], row: 2 })
  })

  it('refuses duplicated index values', () => {
    const error = errorOf(() =>
      schema.coerce({ timestamp: ['2020-01-01', '2020-01-01T00:00:00Z'], value: [1, 2] }),
    )
    expect(error.message).toBe(
      'Rows 0 and 1 have the same index value (timestamp = 2020-01-01T00:00:00.000Z): index values must be unique.',
    )
    expect(error.details.rows).toEqual([0, 1])
  })

  it('orders composite indexes lexicographically', () => {
    const composite = new Schema({ site: 'str*', t: 'int64*', v: 'float64' })
    const ok = composite.coerce({ site: ['a', 'a', 'b', 'b'], t: [2, 3, 1, 5], v: [0, 0, 0, 0] })
    expect(ok.length).toBe(4)
    expect(errorOf(() => composite.coerce({ site: ['a', 'a'], t: [3, 2], v: [0, 0] })).message).toBe(
      'Row 1 (site = "a", t = 2) comes before row 0 (site = "a", t = 3): rows must be sorted by the index (site, t), strictly increasing. Sort them before writing.',
    )
    expect(errorOf(() => composite.coerce({ site: ['b', 'a'], t: [1, 2], v: [0, 0] })).details.rows).toEqual([
      0, 1,
    ])
    expect(errorOf(() => composite.coerce({ site: ['a', 'a'], t: [1, 1], v: [0, 0] })).message).toBe(
      'Rows 0 and 1 have the same index value (site = "a", t = 1): index values must be unique.',
    )
  })

  it('orders 64-bit indexes across the 32-bit halves and the sign', () => {
    const signed = new Schema({ i: 'int64*' })
    const ordered = [
      -(2n ** 63n),
      -(2n ** 32n),
      -1n,
      0n,
      1n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 32n + 1n,
      2n ** 63n - 1n,
    ]
    expect(signed.coerce({ i: ordered }).length).toBe(ordered.length)
    expect(errorOf(() => signed.coerce({ i: [0n, -1n] })).details.rows).toEqual([0, 1])
    expect(errorOf(() => signed.coerce({ i: [2n ** 32n, 2n ** 32n - 1n] })).details.rows).toEqual([0, 1])
    expect(errorOf(() => signed.coerce({ i: [1n, 2n ** 32n, 2n ** 32n] })).message).toMatch(
      /^Rows 1 and 2 have the same/,
    )
    expect(errorOf(() => signed.coerce({ i: [5n, 2n ** 32n + 4n, 2n ** 32n + 3n] })).details.rows).toEqual([
      1, 2,
    ])
    const unsigned = new Schema({ u: 'uint64*' })
    expect(unsigned.coerce({ u: [0n, 2n ** 31n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n] }).length).toBe(5)
    expect(errorOf(() => unsigned.coerce({ u: [2n ** 63n, 2n ** 63n - 1n] })).details.rows).toEqual([0, 1])
    // A frame's own BigInt64Array is checked alike, whatever its offset in its buffer.
    const buffer = new BigInt64Array([9n, 1n, 3n, 2n])
    expect(errorOf(() => signed.coerce({ i: buffer.subarray(1) })).details.rows).toEqual([1, 2])
  })

  it('orders int and str indexes', () => {
    const ints = new Schema({ i: 'uint64*' })
    expect(errorOf(() => ints.coerce({ i: [1n, 2n ** 64n - 1n, 2n ** 63n] })).details.rows).toEqual([1, 2])
    const strings = new Schema({ s: 'str*' })
    expect(strings.coerce({ s: ['A', 'B', 'a', 'ab'] }).length).toBe(4)
    expect(errorOf(() => strings.coerce({ s: ['ab', 'a'] })).details.rows).toEqual([0, 1])
  })
})

describe('timestamp parsing', () => {
  it.each<[string, string, bigint]>([
    ['2020-01-01', 'ms', BigInt(Date.UTC(2020, 0, 1))],
    ['2020-01-01T00:00', 'ms', BigInt(Date.UTC(2020, 0, 1))],
    ['2020-01-01T12:34:56', 'ms', BigInt(Date.UTC(2020, 0, 1, 12, 34, 56))],
    ['2020-01-01t12:34:56.789z', 'ms', BigInt(Date.UTC(2020, 0, 1, 12, 34, 56, 789))],
    ['2020-01-01 12:34:56,5', 'ms', BigInt(Date.UTC(2020, 0, 1, 12, 34, 56, 500))],
    ['2020-01-01T12:34:56+02:00', 'ms', BigInt(Date.UTC(2020, 0, 1, 10, 34, 56))],
    ['2020-01-01T01:00-05:30', 'ms', BigInt(Date.UTC(2020, 0, 1, 6, 30))],
    ['2020-01-01T00:00:00+0100', 's', BigInt(Date.UTC(2019, 11, 31, 23) / 1000)],
    ['2020-01-01T00:00:00-01', 's', BigInt(Date.UTC(2020, 0, 1, 1) / 1000)],
    ['2020-02-29', 'ms', BigInt(Date.UTC(2020, 1, 29))],
    ['2000-02-29T23:59:59.999Z', 'ms', BigInt(Date.UTC(2000, 1, 29, 23, 59, 59, 999))],
    ['1969-12-31T23:59:59.999Z', 'ms', -1n],
    ['1969-12-31T23:59:59.999999999Z', 'ns', -1n],
    ['1900-01-01', 's', BigInt(Date.UTC(1900, 0, 1) / 1000)],
    ['0000-03-01', 'ms', BigInt(Date.parse('0000-03-01T00:00:00Z'))],
    ['0000-02-29', 'ms', BigInt(Date.parse('0000-02-29T00:00:00Z'))],
    ['9999-12-31T23:59:59Z', 's', 253_402_300_799n],
    ['2020-01-01T00:00:00.123456789Z', 'ns', 1_577_836_800_123_456_789n],
    ['2020-01-01T00:00:00.123456Z', 'us', 1_577_836_800_123_456n],
    ['2020-01-01T00:00:00.120', 'ms', 1_577_836_800_120n],
    ['2020-01-01T00:00:00.5000', 'ms', 1_577_836_800_500n],
    ['2020-01-01T00:00:00.000000000000', 's', 1_577_836_800n],
    ['1677-09-21T00:12:43.145224192Z', 'ns', -(2n ** 63n)],
    ['2262-04-11T23:47:16.854775807Z', 'ns', 2n ** 63n - 1n],
  ])('parses %s into timestamp[%s]', (text, unit, expected) => {
    expect(timestamp(text, unit)).toBe(expected)
  })

  it('agrees with Date for many instants', () => {
    for (let i = 0; i < 500; i++) {
      const ms = Math.round((Math.sin(i * 12.9898) * 43_758.5453 - 21_879) * 1e8)
      const date = new Date(ms)
      expect(timestamp(date.toISOString())).toBe(BigInt(ms))
    }
  })

  it.each<[string, string, RegExp]>([
    ['2020-02-30', 'ms', /"2020-02-30" is not a valid date \(February 2020 has 29 days\)/],
    ['2019-02-29', 'ms', /February 2019 has 28 days/],
    ['1900-02-29', 'ms', /February 1900 has 28 days/],
    ['2020-04-31', 'ms', /April 2020 has 30 days/],
    ['2020-00-10', 'ms', /has month 00; months run from 01 to 12/],
    ['2020-13-01', 'ms', /has month 13/],
    ['2020-01-01T24:00', 'ms', /has an hour past 23/],
    ['2020-01-01T23:60', 'ms', /has a minute past 59/],
    ['2020-01-01T23:59:60Z', 'ms', /leap seconds are not represented/],
    ['2020-01-01T00:00+24:00', 'ms', /invalid UTC offset/],
    ['2020-1-1', 'ms', /is not an ISO-8601 date or date-time/],
    ['2020-01-01Z', 'ms', /is not an ISO-8601/],
    ['2020-01-01T00', 'ms', /is not an ISO-8601/],
    ['20200101', 'ms', /is not an ISO-8601/],
    [' 2020-01-01', 'ms', /is not an ISO-8601/],
    ['2020-01-01T00:00:00.5', 's', /finer than timestamp\[s\] can hold \(0 digits after the second\)/],
    ['2020-01-01T00:00:00.1234', 'ms', /finer than timestamp\[ms\] can hold \(3 digits/],
    ['2020-01-01T00:00:00.1234567', 'us', /finer than timestamp\[us\]/],
    ['2020-01-01T00:00:00.1234567891', 'ns', /finer than timestamp\[ns\]/],
    ['2262-04-11T23:47:16.854775808Z', 'ns', /outside the range timestamp\[ns\] can hold/],
    ['1600-01-01', 'ns', /outside the range/],
  ])('refuses %s for timestamp[%s]', (text, unit, message) => {
    const error = errorOf(() => timestamp(text, unit))
    expect(error.message).toMatch(/^Column "t", row 0: /)
    expect(error.message).toMatch(message)
  })
})

describe('large input', () => {
  it('keeps 1,000,000 rows of matching typed arrays without copying', () => {
    const rows = 1_000_000
    const timestamps = new BigInt64Array(rows)
    const values = new Float64Array(rows)
    for (let i = 0; i < rows; i++) {
      timestamps[i] = 1_577_836_800_000n + BigInt(i)
      values[i] = i / 2
    }
    const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
    const started = performance.now()
    const frame = schema.coerce({ timestamp: timestamps, value: values })
    expect(performance.now() - started).toBeLessThan(1000)
    expect(frame).toBeInstanceOf(Frame)
    expect(frame.length).toBe(rows)
    expect(frame.columns.timestamp).toBe(timestamps)
    expect((frame.columns.value as Float64Array).buffer).toBe(values.buffer)
  })

  it('converts 1,000,000 plain numbers in one pass', () => {
    const rows = 1_000_000
    const index = Int32Array.from({ length: rows }, (_, i) => i)
    const values = Array.from({ length: rows }, (_, i) => i * 1.5)
    const frame = new Schema({ i: 'int32*', v: 'float64' }).coerce({ i: index, v: values })
    expect(frame.columns.v).toBeInstanceOf(Float64Array)
    expect((frame.columns.v as Float64Array)[rows - 1]).toBe((rows - 1) * 1.5)
  })
})
