import { VarveError } from '../errors/varve-error.ts'

/** The error every decoder raises for bytes that cannot be what an encoder wrote. */
export function corrupt(what: string, cause?: unknown): VarveError {
  return new VarveError(
    'Integrity',
    `Cannot decode stored bytes: ${what}. They are damaged or truncated; restore them from another copy.`,
    { cause },
  )
}

// One writer's buffer is kept between uses: a fresh multi-megabyte buffer per
// column block costs page faults that are a fifth of encoding.
let spare: Uint8Array | undefined

/**
 * Appends bytes to a growing buffer; `finish()` returns a copy of exactly
 * what was written and hands the buffer on to the next writer. An
 * `estimating` writer only counts: bulk bytes and `skip`s add to its size
 * without being stored, so encoders can be sized cheaply on a sample.
 */
export class ByteWriter {
  private buffer: Uint8Array
  private length = 0
  private skipped = 0

  constructor(
    capacity = 256,
    readonly estimating = false,
  ) {
    // An estimating writer stores only headers (it is never finished): it must not take the spare.
    if (!estimating && spare !== undefined && spare.length >= capacity) {
      this.buffer = spare
      spare = undefined
    } else {
      this.buffer = new Uint8Array(Math.max(16, capacity))
    }
  }

  get size(): number {
    return this.length + this.skipped
  }

  /** Counts `count` bytes an estimating writer would have stored. */
  skip(count: number): void {
    this.skipped += count
  }

  private reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buffer.length) return
    const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2))
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
  }

  u8(value: number): void {
    this.reserve(1)
    this.buffer[this.length++] = value
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  varint(value: number): void {
    this.reserve(8)
    let rest = value
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    this.buffer[this.length++] = rest
  }

  bytes(data: Uint8Array): void {
    if (this.estimating) {
      this.skipped += data.length
      return
    }
    this.reserve(data.length)
    this.buffer.set(data, this.length)
    this.length += data.length
  }

  /**
   * A copy of what was written: a new array, or with `scratch` a view of
   * `scratch` (valid until its next `reset`).
   */
  finish(scratch?: ScratchArea): Uint8Array {
    const result = scratch ? scratch.copy(this.buffer, this.length) : this.buffer.slice(0, this.length)
    if (spare === undefined || spare.length < this.buffer.length) spare = this.buffer
    return result
  }
}

/**
 * Room for bytes needed only for a short while (a chunk's blocks, until they
 * are laid out in the chunk), reused from one `reset` to the next so that
 * they cost no allocation each: a chunk's megabyte of block copies made the
 * garbage collector run about twice as often on long writes. A view handed
 * out stays valid until the next `reset`; when the room runs out, a larger
 * one replaces it (earlier views keep the old one).
 */
export class ScratchArea {
  private area = new Uint8Array(1 << 20)
  private used = 0

  reset(): void {
    this.used = 0
  }

  /** A view of a copy of the first `length` bytes of `bytes`. */
  copy(bytes: Uint8Array, length: number): Uint8Array {
    if (this.used + length > this.area.length) {
      this.area = new Uint8Array(Math.max(2 * this.area.length, length))
      this.used = 0
    }
    const view = this.area.subarray(this.used, this.used + length)
    view.set(bytes.subarray(0, length))
    this.used += length
    return view
  }
}

/** Reads what a `ByteWriter` wrote; every overrun or malformed field throws `Integrity`. */
export class ByteReader {
  private position: number

  constructor(
    private readonly data: Uint8Array,
    start = 0,
  ) {
    this.position = start
  }

  get offset(): number {
    return this.position
  }

  get remaining(): number {
    return this.data.length - this.position
  }

  u8(): number {
    if (this.position >= this.data.length) throw corrupt('unexpected end of data')
    return this.data[this.position++]!
  }

  /** Unsigned LEB128, at most `max` (a safe integer). */
  varint(max = Number.MAX_SAFE_INTEGER): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const byte = this.u8()
      value += (byte & 0x7f) * scale
      if (byte < 0x80) {
        if (value > max) throw corrupt(`a length or count of ${value} exceeds ${max}`)
        return value
      }
      scale *= 0x80
    }
    throw corrupt('a variable-length integer runs past 8 bytes')
  }

  /** The next `length` bytes as a view (no copy). */
  bytes(length: number): Uint8Array {
    if (length > this.remaining) throw corrupt(`needs ${length} bytes, ${this.remaining} left`)
    const view = this.data.subarray(this.position, this.position + length)
    this.position += length
    return view
  }

  /** Throws unless every byte was consumed: trailing bytes mean a damaged block. */
  end(): void {
    if (this.position !== this.data.length) throw corrupt(`${this.remaining} unexpected trailing bytes`)
  }
}
