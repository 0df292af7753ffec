import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { VarveError } from '@varve/core'

export const INPUT_FORMATS = ['csv', 'tsv', 'jsonl', 'arrow', 'parquet'] as const
export type InputFormat = (typeof INPUT_FORMATS)[number]

/** The whole input: a file, or stdin when `file` is undefined or '-'. */
export async function readInput(file: string | undefined): Promise<{ bytes: Buffer; source: string }> {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) {
      throw new VarveError(
        'InvalidArgument',
        'No input: pass --file <path>, or pipe the rows in (varve write ... < data.csv).',
      )
    }
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return { bytes: Buffer.concat(chunks), source: 'stdin' }
  }
  try {
    return { bytes: await readFile(file), source: file }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new VarveError(
      code === 'ENOENT' ? 'NotFound' : 'InvalidArgument',
      `Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (cause as Error).message}.`,
      { cause },
    )
  }
}

const EXTENSIONS: Readonly<Record<string, InputFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.parquet': 'parquet',
}

/**
 * The input's format: `--format` when given, else the file's extension, else
 * its first bytes (Parquet's and Arrow IPC's magic, Arrow's stream marker, '{' for JSON lines,
 * CSV otherwise).
 */
export function detectFormat(
  explicit: string | undefined,
  file: string | undefined,
  bytes: Buffer,
): InputFormat {
  if (explicit !== undefined) {
    if ((INPUT_FORMATS as readonly string[]).includes(explicit)) return explicit as InputFormat
    throw new VarveError(
      'InvalidArgument',
      `Unknown input format "${explicit}"; the formats are ${INPUT_FORMATS.join(', ')}.`,
    )
  }
  const byExtension = file === undefined ? undefined : EXTENSIONS[extname(file).toLowerCase()]
  if (byExtension !== undefined) return byExtension
  if (bytes.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet'
  if (
    bytes.subarray(0, 6).toString('latin1') === 'ARROW1' ||
    (bytes.length >= 4 && bytes.readUInt32LE(0) === 0xffffffff)
  ) {
    return 'arrow'
  }
  const first = bytes.toString('utf8', 0, Math.min(bytes.length, 64)).trimStart()
  return first.startsWith('{') ? 'jsonl' : 'csv'
}
