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

const schema = new Schema({
  timestamp: 'timestamp*',
  value: 'float64',
  label: 'str',
  ok: 'bool',
  count: 'int64',
})

function sample(): Frame {
  return schema.coerce({
    timestamp: ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04'],
    value: [1, 2.5, Number.NaN, -4],
    label: ['a', 'b', 'c', 'd'],
    ok: [true, false, true, false],
    count: [1n, 2n, 3n, 2n ** 62n],
  })
}

describe('Frame', () => {
  it('builds from typed columns and checks their kinds and lengths', () => {
    const simple = new Schema({ t: 'timestamp*', v: 'float64' })
    const frame = new Frame(simple, { v: new Float64Array([1, 2]), t: new BigInt64Array([1n, 2n]) })
    expect(frame.length).toBe(2)
    expect(Object.keys(frame.columns)).toEqual(['t', 'v'])
    expect(Object.isFrozen(frame.columns)).toBe(true)
    expect(
      errorOf(() => new Frame(simple, { t: new BigInt64Array(1), v: [1] as unknown as Float64Array }))
        .message,
    ).toMatch(/column "v" is not held as the array kind of float64/)
    expect(errorOf(() => new Frame(simple, { t: new BigInt64Array(1) })).details).toEqual({ column: 'v' })
    expect(
      errorOf(() => new Frame(simple, { t: new BigInt64Array(1), v: new Float64Array(2) })).message,
    ).toMatch(/column "v" has 2 values, not 1/)
    expect(
      errorOf(
        () => new Frame(simple, { t: new BigInt64Array(1), v: new Float64Array(1), w: new Float64Array(1) }),
      ).message,
    ).toMatch(/column "w" is not in the schema/)
  })

  it('returns a column by name and lists the names for an unknown one', () => {
    const frame = sample()
    expect(frame.column('label')).toEqual(['a', 'b', 'c', 'd'])
    const error = errorOf(() => frame.column('nope'))
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toBe(
      'No column "nope" in this frame; its columns are "timestamp", "value", "label", "ok", "count".',
    )
    expect(() => frame.column('toString')).toThrow(/No column "toString"/)
  })

  it('yields rows with Dates for timestamps and bigints for int64', () => {
    const rows = [...sample().rows()]
    expect(rows).toHaveLength(4)
    expect(rows[0]).toEqual({
      timestamp: new Date('2020-01-01T00:00:00Z'),
      value: 1,
      label: 'a',
      ok: true,
      count: 1n,
    })
    expect(Object.keys(rows[0]!)).toEqual(['timestamp', 'value', 'label', 'ok', 'count'])
    expect(rows[2]!.value).toBeNaN()
    expect(rows[3]!.count).toBe(2n ** 62n)
  })

  it('floors sub-millisecond timestamps in rows but keeps them in columns', () => {
    const ns = new Schema({ t: 'timestamp[ns]*' }).coerce({
      t: ['1969-12-31T23:59:59.999999999Z', '2020-01-01T00:00:00.000999999Z'],
    })
    expect([...ns.rows()].map((row) => (row.t as Date).toISOString())).toEqual([
      '1969-12-31T23:59:59.999Z',
      '2020-01-01T00:00:00.000Z',
    ])
    expect(ns.columns.t).toEqual(new BigInt64Array([-1n, 1_577_836_800_000_999_999n]))
    const seconds = new Schema({ t: 'timestamp[s]*' }).coerce({ t: [-1n] })
    expect([...seconds.rows()][0]!.t).toEqual(new Date(-1000))
  })

  it('slices with Array#slice semantics, viewing typed arrays without copying', () => {
    const frame = sample()
    const middle = frame.slice(1, 3)
    expect(middle.length).toBe(2)
    expect(middle.column('label')).toEqual(['b', 'c'])
    const values = middle.column('value') as Float64Array
    expect(values.buffer).toBe((frame.column('value') as Float64Array).buffer)
    expect(values.byteOffset).toBe(8)
    expect((middle.column('timestamp') as BigInt64Array).buffer).toBe(
      (frame.column('timestamp') as BigInt64Array).buffer,
    )
    expect(frame.slice(-1).column('label')).toEqual(['d'])
    expect(frame.slice(2).length).toBe(2)
    expect(frame.slice(3, 1).length).toBe(0)
    expect(frame.slice(-10, 10).length).toBe(4)
    expect(frame.slice(0, -1).column('label')).toEqual(['a', 'b', 'c'])
    expect(middle.schema).toBe(frame.schema)
    expect(errorOf(() => frame.slice(0.5)).message).toBe('slice start must be an integer, got 0.5.')
    expect(errorOf(() => frame.slice(0, Number.NaN)).message).toMatch(/slice end must be an integer/)
  })

  it('selects value columns, keeping the index columns and the schema order', () => {
    const frame = sample()
    const selected = frame.select(['ok', 'value'])
    expect(selected.schema.toJSON()).toEqual({ timestamp: 'timestamp[ms]*', value: 'float64', ok: 'bool' })
    expect(Object.keys(selected.columns)).toEqual(['timestamp', 'value', 'ok'])
    expect(selected.columns.value).toBe(frame.columns.value)
    expect(frame.select([]).schema.toJSON()).toEqual({ timestamp: 'timestamp[ms]*' })
    expect(frame.select(['timestamp', 'label']).schema.columns.map((c) => c.name)).toEqual([
      'timestamp',
      'label',
    ])
    expect(errorOf(() => frame.select(['value', 'nope'])).message).toMatch(/No column "nope"/)
  })

  it('concatenates frames of one schema', () => {
    const frame = sample()
    const joined = Frame.concat(schema, [frame.slice(0, 1), frame.slice(1, 3), frame.slice(3)])
    expect(joined.equals(frame)).toBe(true)
    expect(joined.columns.value).not.toBe(frame.columns.value)
    expect(joined.column('ok')).toEqual([true, false, true, false])
    expect(Frame.concat(schema, [frame])).toBe(frame)
    expect(Frame.concat(schema, []).length).toBe(0)
    const other = new Schema({ timestamp: 'timestamp*', value: 'float64' })
    const error = errorOf(() => Frame.concat(schema, [frame, Frame.empty(other)]))
    expect(error.message).toMatch(
      /^Frame 1 has schema \{"timestamp":"timestamp\[ms\]\*","value":"float64"\}, not/,
    )
  })

  it('makes empty frames of the right kinds', () => {
    const empty = Frame.empty(schema)
    expect(empty.length).toBe(0)
    expect(empty.columns.timestamp).toBeInstanceOf(BigInt64Array)
    expect(empty.columns.value).toBeInstanceOf(Float64Array)
    expect(empty.columns.label).toEqual([])
    expect(empty.columns.count).toBeInstanceOf(BigInt64Array)
    expect([...empty.rows()]).toEqual([])
  })

  it('compares schema and values, NaN equal to NaN and -0 distinct from 0', () => {
    const simple = new Schema({ t: 'timestamp*', v: 'float64' })
    const a = simple.coerce({ t: [1, 2], v: [Number.NaN, 0] })
    expect(a.equals(simple.coerce({ t: [1, 2], v: [Number.NaN, 0] }))).toBe(true)
    expect(a.equals(simple.coerce({ t: [1, 2], v: [Number.NaN, -0] }))).toBe(false)
    expect(a.equals(simple.coerce({ t: [1, 3], v: [Number.NaN, 0] }))).toBe(false)
    expect(a.equals(a.slice(0, 1))).toBe(false)
    const otherSchema = new Schema({ t: 'timestamp[us]*', v: 'float64' })
    expect(a.equals(otherSchema.coerce({ t: [1, 2], v: [Number.NaN, 0] }))).toBe(false)
    expect(sample().equals(sample())).toBe(true)
  })
})

describe('Frame#toString', () => {
  it('renders a small frame as an aligned table', () => {
    expect(sample().toString()).toBe(
      [
        'timestamp                 value  label  ok                   count',
        '2020-01-01T00:00:00.000Z      1  a      true                     1',
        '2020-01-02T00:00:00.000Z    2.5  b      false                    2',
        '2020-01-03T00:00:00.000Z    NaN  c      true                     3',
        '2020-01-04T00:00:00.000Z     -4  d      false  4611686018427387904',
        '[4 rows × 5 columns]',
      ].join('\n'),
    )
  })

  it('shows the head and tail of a long frame', () => {
    const rows = 100_000
    const frame = new Schema({ t: 'timestamp[s]*', v: 'float64' }).coerce({
      t: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)),
      v: Float64Array.from({ length: rows }, (_, i) => i),
    })
    expect(frame.toString({ maxRows: 4 })).toBe(
      [
        't                         v',
        '1970-01-01T00:00:00Z      0',
        '1970-01-01T00:00:01Z      1',
        '…                         …',
        '1970-01-02T03:46:38Z  99998',
        '1970-01-02T03:46:39Z  99999',
        '[100000 rows × 2 columns]',
      ].join('\n'),
    )
    const lines = frame.toString().split('\n')
    expect(lines).toHaveLength(13)
    expect(lines[6]).toBe('…                         …')
    expect(frame.toString({ maxRows: 3 }).split('\n').slice(1, -1)).toHaveLength(4)
    expect(frame.toString({ maxRows: 0 }).split('\n')).toEqual(['t  v', '…  …', '[100000 rows × 2 columns]'])
  })

  it('formats units, floats, escapes and edge shapes', () => {
    const frame = new Schema({ t: 'timestamp[ns]*', f: 'float32', s: 'str', u: 'uint64' }).coerce({
      t: [-1n, 1_577_836_800_123_456_789n],
      f: [0.1, -0],
      s: ['line\nbreak\t\u0001', 'x'.repeat(50)],
      u: [0n, 2n ** 64n - 1n],
    })
    expect(frame.toString()).toBe(
      [
        't                                 f  s                                                            u',
        '1969-12-31T23:59:59.999999999Z  0.1  line\\nbreak\\t\\u0001                                          0',
        `2020-01-01T00:00:00.123456789Z   -0  ${'x'.repeat(39)}…  18446744073709551615`,
        '[2 rows × 4 columns]',
      ].join('\n'),
    )
    expect(Frame.empty(new Schema({ t: 'timestamp[us]*' })).toString()).toBe('t\n[0 rows × 1 column]')
    const one = new Schema({ t: 'timestamp[us]*' }).coerce({ t: ['0001-01-01T00:00:00.000001Z'] })
    expect(one.toString()).toBe('t\n0001-01-01T00:00:00.000001Z\n[1 row × 1 column]')
    expect(String(one)).toBe(one.toString())
    expect(errorOf(() => one.toString({ maxRows: -1 })).message).toMatch(/maxRows must be a whole number/)
  })
})
