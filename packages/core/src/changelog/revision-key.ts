import { VarveError } from '../errors/varve-error.ts'
import { formatHlc, HLC_TEXT_LENGTH, type HlcTimestamp, parseHlc } from './hlc.ts'

/**
 * A revision's identity and place in the DAG, all carried by its key so that
 * one listing reveals the whole history without reading a single revision:
 *
 *     <hlc:16 hex>-<writer:8 hex>-<content hash:12 hex>[~<parent id>]*
 *
 * The id (`<hlc>-<writer>`) sorts in clock order; the content hash lets a reader
 * verify the revision object; the parent ids give the edges of the DAG.
 */
export interface RevisionKeyParts {
  /** `<hlc>-<writer>`: unique, and ordered by the hybrid logical clock. */
  readonly id: string
  readonly hlc: HlcTimestamp
  readonly writer: string
  /** The first 12 hex digits of the SHA-256 of the revision object's bytes. */
  readonly contentHash: string
  readonly parents: readonly string[]
}

const WRITER_DIGITS = 8
const HASH_DIGITS = 12
const ID_PATTERN = new RegExp(`^[0-9a-f]{${HLC_TEXT_LENGTH}}-[0-9a-f]{${WRITER_DIGITS}}$`)
/** A key segment holds at most 255 bytes: the name part (38) plus 8 parents of 26. */
export const MAX_PARENTS = 8

export function formatRevisionId(hlc: HlcTimestamp, writer: string): string {
  return `${formatHlc(hlc)}-${writer}`
}

export function isRevisionId(text: string): boolean {
  return ID_PATTERN.test(text)
}

export function formatRevisionName(parts: Omit<RevisionKeyParts, 'hlc' | 'writer'>): string {
  if (parts.parents.length > MAX_PARENTS) {
    throw new VarveError(
      'InvalidArgument',
      `A revision can have at most ${MAX_PARENTS} parents; merge in steps.`,
    )
  }
  return [`${parts.id}-${parts.contentHash.slice(0, HASH_DIGITS)}`, ...parts.parents].join('~')
}

export function parseRevisionName(name: string): RevisionKeyParts {
  const [head = '', ...parents] = name.split('~')
  const id = head.slice(0, HLC_TEXT_LENGTH + 1 + WRITER_DIGITS)
  const contentHash = head.slice(id.length + 1)
  if (!isRevisionId(id) || !/^[0-9a-f]{12}$/.test(contentHash) || !parents.every(isRevisionId)) {
    throw new VarveError('Integrity', `Malformed revision key ${JSON.stringify(name)}.`, {
      details: { key: name },
    })
  }
  return {
    id,
    hlc: parseHlc(id.slice(0, HLC_TEXT_LENGTH)),
    writer: id.slice(HLC_TEXT_LENGTH + 1),
    contentHash,
    parents,
  }
}
