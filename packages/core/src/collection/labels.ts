import { VarveError } from '../errors/varve-error.ts'

const MAX_LABEL_LENGTH = 1024

/** Labels name series: any non-empty text of at most 1024 characters without control characters. */
export function validateLabel(label: unknown): string {
  if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL_LENGTH) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid series label ${JSON.stringify(label)}: use a non-empty string of at most ${MAX_LABEL_LENGTH} characters.`,
    )
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(label) || !label.isWellFormed()) {
    throw new VarveError(
      'InvalidArgument',
      `Invalid series label ${JSON.stringify(label)}: control characters and lone surrogates are not allowed.`,
    )
  }
  return label
}
