import { VarveError } from '../errors/varve-error.ts'
import {
  toBigInteger,
  toBool,
  toFloat,
  toSmallInteger,
  toStr,
  toTimestamp,
  type ValueSite,
} from './coerce-value.ts'
import { type ColumnArray, type ColumnType, timeUnitOf } from './column-types.ts'
import { describeValue } from './describe-value.ts'
import type { ColumnSpec } from './schema-definition.ts'

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor

type SmallIntType = 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32'

const SMALL_INTS: Readonly<Record<SmallIntType, readonly [TypedArrayConstructor, number, number]>> = {
  int8: [Int8Array, -128, 127],
  int16: [Int16Array, -32_768, 32_767],
  int32: [Int32Array, -2_147_483_648, 2_147_483_647],
  uint8: [Uint8Array, 0, 255],
  uint16: [Uint16Array, 0, 65_535],
  uint32: [Uint32Array, 0, 4_294_967_295],
}

/** The [min, max] of an int8..uint32 type, undefined for other types. */
export function smallIntegerRange(type: ColumnType): readonly [min: number, max: number] | undefined {
  const entry = Object.hasOwn(SMALL_INTS, type) ? SMALL_INTS[type as SmallIntType] : undefined
  return entry === undefined ? undefined : [entry[1], entry[2]]
}

/** The typed array that holds a column of `type` (undefined for bool and str, held in plain arrays). */
export function typedArrayOf(type: ColumnType): TypedArrayConstructor | undefined {
  switch (type) {
    case 'int64':
      return BigInt64Array
    case 'uint64':
      return BigUint64Array
    case 'float32':
      return Float32Array
    case 'float64':
      return Float64Array
    case 'bool':
    case 'str':
      return undefined
    default:
      return type.startsWith('timestamp[') ? BigInt64Array : SMALL_INTS[type as SmallIntType][0]
  }
}

/** True for arrays and typed arrays, the two shapes a column's input may take. */
export function isColumnInput(input: unknown): input is ArrayLike<unknown> {
  return Array.isArray(input) || (ArrayBuffer.isView(input) && !(input instanceof DataView))
}

/**
 * Coerces one column's input (an array or typed array, length already
 * checked) into the column's array. A typed array of exactly the column's
 * kind is kept as is, without copying (a subclass such as Buffer becomes a
 * plain view of the same memory); anything else is converted in one loop
 * that checks every value. Throws VarveError 'InvalidArgument' naming the
 * column and the first bad row.
 */
export function coerceColumn(spec: ColumnSpec, input: unknown): ColumnArray {
  const site: ValueSite = { column: spec.name }
  if (!isColumnInput(input)) {
    throw new VarveError(
      'InvalidArgument',
      `Column "${spec.name}": expected an array or a typed array of values, got ${describeValue(input)}.`,
      { details: { column: spec.name } },
    )
  }
  const { type } = spec
  const length = input.length
  const Typed = typedArrayOf(type)
  if (Typed !== undefined && input instanceof Typed) {
    return (
      input.constructor === Typed ? input : new Typed(input.buffer as ArrayBuffer, input.byteOffset, length)
    ) as ColumnArray
  }
  switch (type) {
    case 'bool': {
      const out: boolean[] = []
      for (let row = 0; row < length; row++) out.push(toBool(input[row], site, row))
      return out
    }
    case 'str': {
      const out: string[] = []
      for (let row = 0; row < length; row++) out.push(toStr(input[row], site, row))
      return out
    }
    case 'float64': {
      if (isNumberTypedArray(input)) return new Float64Array(input)
      const out = new Float64Array(length)
      for (let row = 0; row < length; row++) out[row] = toFloat(input[row], false, site, row)
      return out
    }
    case 'float32': {
      const out = new Float32Array(length)
      for (let row = 0; row < length; row++) out[row] = toFloat(input[row], true, site, row)
      return out
    }
    case 'int64':
    case 'uint64': {
      const signed = type === 'int64'
      const out = signed ? new BigInt64Array(length) : new BigUint64Array(length)
      for (let row = 0; row < length; row++) out[row] = toBigInteger(input[row], signed, site, row)
      return out
    }
    default: {
      if (type.startsWith('timestamp[')) {
        const unit = timeUnitOf(type as `timestamp[${'s' | 'ms' | 'us' | 'ns'}]`)
        const out = new BigInt64Array(length)
        for (let row = 0; row < length; row++) out[row] = toTimestamp(input[row], unit, site, row)
        return out
      }
      const [Small, min, max] = SMALL_INTS[type as SmallIntType]
      const out = new Small(length) as Int32Array
      for (let row = 0; row < length; row++) out[row] = toSmallInteger(input[row], type, min, max, site, row)
      return out
    }
  }
}

function isNumberTypedArray(input: ArrayLike<unknown>): input is ArrayLike<number> {
  return ArrayBuffer.isView(input) && !(input instanceof BigInt64Array || input instanceof BigUint64Array)
}
