import type { ByteReader, ByteWriter } from './byte-io.ts'
import { planeBuffer, readPlanes, writePlanes } from './byte-planes.ts'
import { shuffleWords, unshuffleWords } from './byte-shuffle.ts'

/** Writes `count` non-negative 32-bit words (lengths, indices, bits) as a plane section. */
export function writeWords(out: ByteWriter, words: Int32Array, count: number): void {
  const planes = planeBuffer(count, 4)
  shuffleWords(words, 0, 1, count, planes, 0)
  writePlanes(out, planes, count, 4)
}

/** Reads what `writeWords` wrote: `count` words at most `maxWidth` bytes wide, as a new array. */
export function readWords(input: ByteReader, count: number, maxWidth: number): Int32Array {
  const planes = readPlanes(input, count, maxWidth)
  const out = new Int32Array(count)
  unshuffleWords(planes, 0, count, out, 0, 1)
  return out
}
