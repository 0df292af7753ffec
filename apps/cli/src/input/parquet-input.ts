import { VarveError } from '@varve/core'
import { parquetReadObjects } from 'hyparquet'
import { isoTimestamp } from '../frame-output.ts'
import type { Batches } from './batches.ts'
import { parseJsonValue } from './cell.ts'

/**
 * Parquet rows into `batches`, read with hyparquet (snappy-compressed or
 * uncompressed files; other codecs are refused with hyparquet's message).
 * Timestamps in micro- or nanoseconds arrive as ISO-8601 text with every digit
 * (a Date would keep only milliseconds); the rest as hyparquet decodes it.
 * Rows are numbered from 1 in messages.
 */
export async function parseParquet(bytes: Buffer, batches: Batches, source: string): Promise<void> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  let rows: Record<string, unknown>[]
  try {
    rows = await parquetReadObjects({
      file,
      parsers: {
        timestampFromMicroseconds: (micros: bigint | number) => isoTimestamp(BigInt(micros), 'us'),
        timestampFromNanoseconds: (nanos: bigint | number) => isoTimestamp(BigInt(nanos), 'ns'),
      },
    })
  } catch (cause) {
    throw new VarveError(
      'InvalidArgument',
      `${source} could not be read as Parquet: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  rows.forEach((row, i) => {
    const site = { source, line: i + 1, unit: 'Row' as const }
    if (i === 0) batches.checkColumns(Object.keys(row), site)
    batches.add(row, site, (raw, spec) => parseJsonValue(raw, spec, site))
  })
}
