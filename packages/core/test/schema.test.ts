import { Schema, type SchemaDefinition, VarveError } from '@varve/core'
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

describe('Schema definition', () => {
  it('keeps columns in definition order and writes the canonical form', () => {
    const schema = new Schema({ timestamp: 'timestamp*', value: 'float64', label: 'str' })
    expect(schema.columns.map((c) => c.name)).toEqual(['timestamp', 'value', 'label'])
    expect(schema.indexColumns).toEqual([{ name: 'timestamp', type: 'timestamp[ms]', index: true }])
    expect(schema.valueColumns.map((c) => c.name)).toEqual(['value', 'label'])
    expect(schema.column('value')).toEqual({ name: 'value', type: 'float64', index: false })
    expect(schema.column('missing')).toBeUndefined()
    expect(schema.toJSON()).toEqual({ timestamp: 'timestamp[ms]*', value: 'float64', label: 'str' })
    expect(Object.keys(schema.toJSON())).toEqual(['timestamp', 'value', 'label'])
    expect(JSON.stringify(schema)).toBe('{"timestamp":"timestamp[ms]*","value":"float64","label":"str"}')
  })

  it.each([
    'int8',
    'int16',
    'int32',
    'int64',
    'uint8',
    'uint16',
    'uint32',
    'uint64',
    'float32',
    'float64',
    'bool',
    'str',
    'timestamp[s]',
    'timestamp[ms]',
    'timestamp[us]',
    'timestamp[ns]',
  ])('accepts the value type %s', (type) => {
    expect(new Schema({ t: 'timestamp[ns]*', v: type }).column('v')?.type).toBe(type)
  })

  it.each(['int8', 'int64', 'uint32', 'uint64', 'str', 'timestamp', 'timestamp[s]', 'timestamp[ns]'])(
    'accepts the index type %s',
    (type) => {
      expect(new Schema({ key: `${type}*` }).indexColumns).toHaveLength(1)
    },
  )

  it('accepts composite indexes and schemas of index columns only', () => {
    const schema = new Schema({ site: 'str*', time: 'timestamp[s]*', value: 'float32' })
    expect(schema.indexColumns.map((c) => c.name)).toEqual(['site', 'time'])
    expect(new Schema({ time: 'timestamp*' }).valueColumns).toEqual([])
  })

  it.each(['température', 'a.b-c_d', '_x', 'ÉtÉ2', 'x'.repeat(128)])('accepts the column name %j', (name) => {
    expect(new Schema({ t: 'timestamp*', [name]: 'float64' }).column(name)).toBeDefined()
  })

  it.each<[string, unknown, RegExp, string | undefined]>([
    ['no columns', {}, /at least one column/, undefined],
    ['no index', { value: 'float64' }, /no index column: mark one or more columns with '\*'/, undefined],
    [
      'an unknown type',
      { value: 'float' },
      /Column "value": unknown type "float"\. Valid types: int8, .*timestamp\[s\|ms\|us\|ns\]/,
      'value',
    ],
    ['a bad unit', { t: 'timestamp[m]*' }, /Column "t": unknown type "timestamp\[m\]\*"/, 't'],
    [
      'a bool index',
      { flag: 'bool*' },
      /Column "flag": bool cannot be an index column; index columns are int8\.\.int64/,
      'flag',
    ],
    ['a float index', { x: 'float64*' }, /float64 cannot be an index column/, 'x'],
    ['an empty name', { '': 'int32*' }, /cannot be empty/, ''],
    ['a name starting with a digit', { '1st': 'int32*' }, /starts with a letter or '_'/, '1st'],
    ['a space in a name', { 'a b': 'int32*' }, /starts with a letter or '_'/, 'a b'],
    ['a slash in a name', { 'a/b': 'int32*' }, /only letters, digits/, 'a/b'],
    ['a long name', { ['x'.repeat(129)]: 'int32*' }, /at most 128 characters/, 'x'.repeat(129)],
    [
      'names equal ignoring case',
      { Time: 'int32*', time: 'float64' },
      /"Time" and "time" differ only in case/,
      'time',
    ],
    ['a type that is not a string', { t: 5 }, /Column "t": the type must be a string/, 't'],
    ['__proto__', JSON.parse('{"__proto__": "int32*"}'), /reserved/, '__proto__'],
    ['a name not in NFC', { 'e\u0301': 'int32*' }, /normal form C/, 'e\u0301'],
    ['null', null, /A schema is an object mapping column names to types.*got null/, undefined],
    ['an array', ['int32*'], /got an array/, undefined],
  ])('refuses %s', (_, definition, message, column) => {
    const error = errorOf(() => new Schema(definition as SchemaDefinition))
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toMatch(message)
    expect(error.details.column).toBe(column)
  })

  it('compares column names, types, index marks and order', () => {
    const schema = new Schema({ t: 'timestamp*', v: 'float64' })
    expect(schema.equals(new Schema({ t: 'timestamp[ms]*', v: 'float64' }))).toBe(true)
    expect(schema.equals(new Schema({ v: 'float64', t: 'timestamp*' }))).toBe(false)
    expect(schema.equals(new Schema({ t: 'timestamp[us]*', v: 'float64' }))).toBe(false)
    expect(schema.equals(new Schema({ t: 'timestamp*', v: 'float32' }))).toBe(false)
    expect(schema.equals(new Schema({ t: 'timestamp*', v: 'int64*' }))).toBe(false)
    expect(schema.equals(new Schema({ t: 'timestamp*' }))).toBe(false)
  })

  it('round-trips through JSON and validates what it reads', () => {
    const schema = new Schema({ site: 'str*', t: 'timestamp[ns]*', v: 'uint16', ok: 'bool' })
    const copy = Schema.fromJSON(JSON.parse(JSON.stringify(schema)))
    expect(copy.equals(schema)).toBe(true)
    expect(copy.toJSON()).toEqual(schema.toJSON())
    expect(errorOf(() => Schema.fromJSON('timestamp*')).message).toMatch(/got string/)
    expect(errorOf(() => Schema.fromJSON({ t: 'time*' })).details).toEqual({ column: 't' })
  })

  it('selects value columns and always keeps the index columns, in schema order', () => {
    const schema = new Schema({ a: 'float64', t: 'timestamp*', b: 'int32', c: 'str' })
    expect(schema.select(['c', 'a']).toJSON()).toEqual({ a: 'float64', t: 'timestamp[ms]*', c: 'str' })
    expect(schema.select(['t']).toJSON()).toEqual({ t: 'timestamp[ms]*' })
    expect(schema.select(['a', 'b', 'c'])).toBe(schema)
    const error = errorOf(() => schema.select(['a', 'nope']))
    expect(error.message).toBe('No column "nope" in the schema; its columns are "a", "t", "b", "c".')
    expect(error.details).toEqual({ column: 'nope' })
  })
})

describe('Schema#coerceIndexValue', () => {
  it('coerces a bound for the first index column', () => {
    expect(new Schema({ t: 'timestamp*' }).coerceIndexValue('2020-01-01')).toBe(1_577_836_800_000n)
    expect(new Schema({ t: 'timestamp[s]*' }).coerceIndexValue(new Date('2020-01-01T00:00:00Z'))).toBe(
      1_577_836_800n,
    )
    expect(new Schema({ t: 'timestamp[ns]*' }).coerceIndexValue(5)).toBe(5n)
    expect(new Schema({ i: 'int32*', t: 'timestamp*' }).coerceIndexValue(7n)).toBe(7)
    expect(new Schema({ i: 'uint64*' }).coerceIndexValue(7)).toBe(7n)
    expect(new Schema({ s: 'str*' }).coerceIndexValue('abc')).toBe('abc')
  })

  it('names the bound and the column in errors', () => {
    const schema = new Schema({ timestamp: 'timestamp*' })
    const error = errorOf(() => schema.coerceIndexValue('2020-02-30', 'start'))
    expect(error.message).toBe(
      'start for column "timestamp": "2020-02-30" is not a valid date (February 2020 has 29 days).',
    )
    expect(error.details).toEqual({ column: 'timestamp' })
    expect(errorOf(() => schema.coerceIndexValue(null)).message).toMatch(
      /^Index value for column "timestamp": expected an ISO-8601 string, a Date, an integer number of ms or a bigint, got null/,
    )
    expect(errorOf(() => new Schema({ i: 'uint8*' }).coerceIndexValue(256)).message).toMatch(
      /256 is out of range for uint8 \(0 to 255\)/,
    )
  })
})
