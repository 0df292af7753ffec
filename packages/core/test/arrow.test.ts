import { Frame, Schema, VarveError } from '@varve/core'
import {
  DateDay,
  Dictionary,
  Float16,
  Float64,
  Int32,
  LargeUtf8,
  makeData,
  makeVector,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow'
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

const everyType = new Schema({
  t: 'timestamp[ns]*',
  i8: 'int8',
  i16: 'int16',
  i32: 'int32',
  i64: 'int64',
  u8: 'uint8',
  u16: 'uint16',
  u32: 'uint32',
  u64: 'uint64',
  f32: 'float32',
  f64: 'float64',
  b: 'bool',
  s: 'str',
  ts: 'timestamp[s]',
  tms: 'timestamp',
  tus: 'timestamp[us]',
})

function everyTypeFrame(): Frame {
  const rows = 10
  const range = (f: (i: number) => unknown) => Array.from({ length: rows }, (_, i) => f(i))
  return everyType.coerce({
    t: range((i) => 1_577_836_800_000_000_001n + BigInt(i)),
    i8: range((i) => -128 + i),
    i16: range((i) => 32_767 - i),
    i32: range((i) => -(2 ** 31) + i),
    i64: range((i) => -(2n ** 63n) + BigInt(i)),
    u8: range((i) => 255 - i),
    u16: range((i) => i),
    u32: range((i) => 2 ** 32 - 1 - i),
    u64: range((i) => 2n ** 64n - 1n - BigInt(i)),
    f32: range((i) => i / 4),
    f64: range((i) => (i === 3 ? Number.NaN : i === 4 ? -0 : i / 3)),
    b: range((i) => i % 3 === 0),
    s: range((i) => ['', 'é', '日本語', '🙂 x', 'plain'][i % 5]),
    ts: range((i) => -BigInt(i)),
    tms: range((i) => `2020-02-29T00:00:00.00${i}Z`),
    tus: range((i) => BigInt(i) * 1_000_001n),
  })
}

describe('Frame#toArrow', () => {
  it('maps every column type to its Arrow type', () => {
    const table = everyTypeFrame().toArrow()
    expect(table.numRows).toBe(10)
    expect(table.batches).toHaveLength(1)
    expect(Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]))).toEqual({
      t: 'Timestamp<NANOSECOND, UTC>',
      i8: 'Int8',
      i16: 'Int16',
      i32: 'Int32',
      i64: 'Int64',
      u8: 'Uint8',
      u16: 'Uint16',
      u32: 'Uint32',
      u64: 'Uint64',
      f32: 'Float32',
      f64: 'Float64',
      b: 'Bool',
      s: 'Utf8',
      ts: 'Timestamp<SECOND, UTC>',
      tms: 'Timestamp<MILLISECOND, UTC>',
      tus: 'Timestamp<MICROSECOND, UTC>',
    })
    expect(table.schema.fields.every((f) => !f.nullable)).toBe(true)
    expect(table.schema.fields.map((f) => f.metadata.get('varve:index') ?? '-')).toEqual([
      'true',
      ...Array(15).fill('-'),
    ])
    expect(table.getChild('s')!.toArray()).toEqual([
      '',
      'é',
      '日本語',
      '🙂 x',
      'plain',
      '',
      'é',
      '日本語',
      '🙂 x',
      'plain',
    ])
    expect([...table.getChild('b')!]).toEqual(everyTypeFrame().column('b'))
    expect(table.getChild('u64')!.get(0)).toBe(2n ** 64n - 1n)
  })

  it('shares memory with numeric and timestamp columns', () => {
    const frame = everyTypeFrame()
    const table = frame.toArrow()
    for (const spec of frame.schema.columns) {
      if (spec.type === 'bool' || spec.type === 'str') continue
      const values = table.getChild(spec.name)!.data[0]!.values as ArrayBufferView
      const column = frame.columns[spec.name] as unknown as ArrayBufferView
      expect(values.buffer, spec.name).toBe(column.buffer)
      expect(values.byteOffset, spec.name).toBe(column.byteOffset)
    }
  })

  it('shares memory with a sliced frame', () => {
    const frame = everyTypeFrame().slice(2, 5)
    const table = frame.toArrow()
    expect(table.numRows).toBe(3)
    const values = table.getChild('f64')!.toArray() as Float64Array
    expect(values.buffer).toBe((frame.columns.f64 as Float64Array).buffer)
    expect(Frame.fromArrow(table).equals(frame)).toBe(true)
  })
})

describe('Frame.fromArrow', () => {
  it('round-trips every type, restoring the schema from the field metadata', () => {
    const frame = everyTypeFrame()
    const back = Frame.fromArrow(frame.toArrow())
    expect(back.schema.toJSON()).toEqual(everyType.toJSON())
    expect(back.equals(frame)).toBe(true)
  })

  it('round-trips through Arrow IPC bytes', () => {
    const frame = everyTypeFrame()
    const back = Frame.fromArrow(tableFromIPC(tableToIPC(frame.toArrow())))
    expect(back.equals(frame)).toBe(true)
    const composite = new Schema({ site: 'str*', n: 'uint16*', v: 'float64' }).coerce({
      site: ['a', 'a', 'b'],
      n: [1, 2, 1],
      v: [1, 2, 3],
    })
    const restored = Frame.fromArrow(tableFromIPC(tableToIPC(composite.toArrow())))
    expect(restored.schema.toJSON()).toEqual({ site: 'str*', n: 'uint16*', v: 'float64' })
    expect(restored.equals(composite)).toBe(true)
  })

  it('round-trips an empty frame', () => {
    const empty = Frame.empty(everyType)
    const table = empty.toArrow()
    expect(table.numRows).toBe(0)
    expect(Frame.fromArrow(table).equals(empty)).toBe(true)
    expect(Frame.fromArrow(new Table(table.schema)).equals(empty)).toBe(true)
  })

  it('shares the memory of single-chunk numeric and timestamp columns', () => {
    const table = everyTypeFrame().toArrow()
    const frame = Frame.fromArrow(table)
    for (const spec of frame.schema.columns) {
      if (spec.type === 'bool' || spec.type === 'str') continue
      const column = frame.columns[spec.name] as unknown as ArrayBufferView
      expect(column.buffer, spec.name).toBe(
        (table.getChild(spec.name)!.data[0]!.values as ArrayBufferView).buffer,
      )
    }
  })

  it('joins several chunks', () => {
    const frame = everyTypeFrame()
    const table = frame.slice(0, 4).toArrow().concat(frame.slice(4, 7).toArrow(), frame.slice(7).toArrow())
    expect(table.batches).toHaveLength(3)
    const back = Frame.fromArrow(table)
    expect(back.equals(frame)).toBe(true)
    expect((back.columns.f64 as Float64Array).buffer).not.toBe((frame.columns.f64 as Float64Array).buffer)
  })

  it('reads a sliced table', () => {
    const frame = everyTypeFrame()
    expect(Frame.fromArrow(frame.toArrow().slice(3, 8)).equals(frame.slice(3, 8))).toBe(true)
  })

  it('infers the first timestamp column as the index when no field is marked', () => {
    const t = makeVector(makeData({ type: new TimestampMicrosecond(), data: new BigInt64Array([1n, 2n]) }))
    const t2 = makeVector(makeData({ type: new TimestampNanosecond(), data: new BigInt64Array([9n, 8n]) }))
    const table = new Table({
      value: makeVector(new Float64Array([0.5, 1.5])),
      time: t,
      other: t2,
      name: vectorFromArray(['x', 'y'], new Utf8()),
    })
    const frame = Frame.fromArrow(table)
    expect(frame.schema.toJSON()).toEqual({
      value: 'float64',
      time: 'timestamp[us]*',
      other: 'timestamp[ns]',
      name: 'str',
    })
    expect(frame.column('name')).toEqual(['x', 'y'])
    expect(frame.column('time')).toEqual(new BigInt64Array([1n, 2n]))
  })

  it('asks for a schema when nothing can be the index', () => {
    const table = new Table({ value: makeVector(new Float64Array([1])) })
    expect(errorOf(() => Frame.fromArrow(table)).message).toMatch(
      /no timestamp column to use as the index; pass a schema/,
    )
    const schema = new Schema({ value: 'float64', key: 'int32*' })
    const keyed = new Table({
      value: makeVector(new Float64Array([1, 2])),
      key: makeVector(new Int32Array([5, 6])),
    })
    expect(Frame.fromArrow(keyed, schema).schema).toBe(schema)
    expect(Frame.fromArrow(keyed, schema).column('key')).toEqual(new Int32Array([5, 6]))
  })

  it('checks the table against a given schema', () => {
    const table = new Table({
      t: makeVector(makeData({ type: new TimestampNanosecond(), data: new BigInt64Array([1n]) })),
      v: makeVector(new Int32Array([1])),
    })
    const mismatch = errorOf(() => Frame.fromArrow(table, new Schema({ t: 'timestamp[ns]*', v: 'float64' })))
    expect(mismatch.message).toBe(
      'Column "v": the Arrow column is Int32 (int32) but the schema says float64.',
    )
    expect(mismatch.details).toEqual({ column: 'v' })
    expect(
      errorOf(() => Frame.fromArrow(table, new Schema({ t: 'timestamp*', v: 'int32' }))).message,
    ).toMatch(
      /Column "t": the Arrow column is Timestamp<NANOSECOND> \(timestamp\[ns\]\) but the schema says timestamp\[ms\]/,
    )
    expect(errorOf(() => Frame.fromArrow(table, new Schema({ t: 'timestamp[ns]*' }))).message).toMatch(
      /Unknown column "v"/,
    )
    expect(
      errorOf(() => Frame.fromArrow(table, new Schema({ t: 'timestamp[ns]*', v: 'int32', w: 'str' })))
        .message,
    ).toMatch(/Column "w" is missing/)
  })

  it('refuses nulls, naming the row', () => {
    const table = new Table({
      t: makeVector(makeData({ type: new TimestampNanosecond(), data: new BigInt64Array([1n, 2n, 3n]) })),
      v: vectorFromArray([1, null, 3], new Float64()),
    })
    const error = errorOf(() => Frame.fromArrow(table))
    expect(error.message).toBe('Column "v", row 1: null values are not supported (every row needs a value).')
    expect(error.details).toEqual({ column: 'v', row: 1 })
  })

  it('refuses Arrow types with no column type', () => {
    const t = makeVector(makeData({ type: new TimestampNanosecond(), data: new BigInt64Array([1n]) }))
    const dates = new Table({ t, d: vectorFromArray([new Date(0)], new DateDay()) })
    const error = errorOf(() => Frame.fromArrow(dates))
    expect(error.code).toBe('Unsupported')
    expect(error.message).toMatch(
      /^Column "d": Arrow type Date32<DAY> has no Varve column type; supported: Int8/,
    )
    const halves = new Table({ t, h: vectorFromArray([1], new Float16()) })
    expect(errorOf(() => Frame.fromArrow(halves)).code).toBe('Unsupported')
  })

  it('reads LargeUtf8 and dictionary-encoded strings as str', () => {
    const t = makeVector(makeData({ type: new TimestampNanosecond(), data: new BigInt64Array([1n, 2n, 3n]) }))
    const table = new Table({
      t,
      large: vectorFromArray(['a', 'bb', 'a'], new LargeUtf8()),
      dict: vectorFromArray(['x', 'y', 'x'], new Dictionary(new Utf8(), new Int32())),
    })
    const frame = Frame.fromArrow(table)
    expect(frame.schema.toJSON()).toEqual({ t: 'timestamp[ns]*', large: 'str', dict: 'str' })
    expect(frame.column('large')).toEqual(['a', 'bb', 'a'])
    expect(frame.column('dict')).toEqual(['x', 'y', 'x'])
  })

  it('checks the index order of what it reads', () => {
    const table = new Table({
      t: makeVector(makeData({ type: new TimestampNanosecond(), data: new BigInt64Array([2n, 1n]) })),
    })
    expect(errorOf(() => Frame.fromArrow(table)).details.rows).toEqual([0, 1])
  })
})
