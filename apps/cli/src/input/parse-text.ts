import { finished } from 'node:stream/promises'
import { VarveError } from '@varve/core'
import { type InfoRecord, parse } from 'csv-parse'
import type { Batches } from './batches.ts'
import { badInput, parseCell, parseJsonValue } from './cell.ts'

// The parser is fed a slice at a time so progress can follow the bytes consumed.
const SLICE = 1 << 20

/**
 * Parses CSV (or TSV) with a header row into `batches`: the header must name
 * every schema column (and the label column when the series is not fixed),
 * in any order. `onBytes` is told how many bytes have been parsed. A malformed
 * file is `InvalidArgument` naming the line.
 */
export async function parseDelimited(
  bytes: Buffer,
  delimiter: ',' | '\t',
  batches: Batches,
  source: string,
  onBytes: (done: number) => void,
): Promise<void> {
  let header: string[] | undefined
  // Rows are taken as the parser finds them and dropped from its output, so nothing queues up.
  const onRecord = (record: string[], context: InfoRecord) => {
    const site = { source, line: context.lines }
    if (header === undefined) {
      header = record.map((name) => name.trim())
      batches.checkColumns(header, site)
      return null
    }
    const fields: Record<string, string> = {}
    header.forEach((name, i) => {
      fields[name] = record[i]!
    })
    batches.add(fields, site, (raw, spec) => parseCell(raw as string, spec, site))
    return null
  }
  const parser = parse({ delimiter, bom: true, skip_empty_lines: true, on_record: onRecord })
  let failure: unknown
  parser.on('error', (error) => {
    failure ??= error
  })
  parser.resume()
  for (let at = 0; at < bytes.length && failure === undefined; at += SLICE) {
    const slice = bytes.subarray(at, at + SLICE)
    parser.write(slice)
    onBytes(at + slice.length)
  }
  if (failure === undefined) {
    parser.end()
    await finished(parser).catch((error: unknown) => {
      failure ??= error
    })
  }
  if (failure === undefined) return
  if (VarveError.is(failure)) throw failure
  throw new VarveError('InvalidArgument', `${source} is not valid CSV: ${(failure as Error).message}`, {
    cause: failure,
  })
}

/** Parses JSON lines (one object per line, blank lines skipped) into `batches`. */
export function parseJsonLines(
  bytes: Buffer,
  batches: Batches,
  source: string,
  onBytes: (done: number) => void,
): void {
  let at = 0
  let line = 0
  let reported = 0
  while (at < bytes.length) {
    const end = bytes.indexOf(10, at)
    const stop = end === -1 ? bytes.length : end
    line++
    const text = bytes.toString('utf8', at, stop).trim()
    at = stop + 1
    if (text === '') continue
    const site = { source, line }
    let record: unknown
    try {
      record = JSON.parse(text)
    } catch (cause) {
      throw badInput(site, undefined, `not valid JSON (${(cause as Error).message}).`)
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw badInput(
        site,
        undefined,
        'expected a JSON object such as {"timestamp": "2020-01-01", "value": 1}.',
      )
    }
    batches.checkColumns(Object.keys(record), site)
    batches.add(record as Record<string, unknown>, site, (raw, spec) => parseJsonValue(raw, spec, site))
    if (at - reported >= SLICE) {
      reported = at
      onBytes(Math.min(at, bytes.length))
    }
  }
  onBytes(bytes.length)
}
