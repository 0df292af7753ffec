import { VarveError } from '../errors/varve-error.ts'
import { isTimestampType, timeUnitOf } from '../model/column-types.ts'
import { compareIndexValues, type IndexValue, indexValueToJson } from '../model/index-value.ts'
import type { Schema } from '../model/schema.ts'
import { formatTimestamp } from '../model/timestamp.ts'
import type { RowRange } from '../series/row-range.ts'
import { validateLabel } from './labels.ts'
import type { IndexBound } from './read-options.ts'

/**
 * What a read-only view of a collection may read (a dataset, a partial
 * replica): some series and/or an index range. Reads outside it throw
 * `OutOfScope`; an absent field does not limit.
 */
export interface ReadScope {
  /** The series the view holds; other labels are out of scope. */
  readonly labels?: readonly string[]
  /** First index value in scope (inclusive), on the first index column. */
  readonly start?: IndexBound
  /** First index value past the scope (exclusive). */
  readonly stop?: IndexBound
  /** What the scope belongs to, for messages, e.g. `dataset "q3"`. Default: `this view`. */
  readonly owner?: string
  /** What to do to read beyond the scope, ending every `OutOfScope` message. */
  readonly hint?: string
}

/** A scope checked against a schema: labels validated and sorted, bounds coerced. */
export interface ResolvedScope {
  readonly labels: ReadonlySet<string> | undefined
  readonly start: IndexValue | undefined
  readonly stop: IndexValue | undefined
  readonly owner: string
  readonly hint: string
  /** An index value as messages show it (timestamps as ISO strings). */
  readonly show: (value: IndexValue) => string
}

/** Validates a scope against the schema (`InvalidArgument` on unknown fields, bad labels or bounds, an empty range). */
export function resolveScope(schema: Schema, scope: ReadScope): ResolvedScope {
  if (typeof scope !== 'object' || scope === null) {
    throw new VarveError('InvalidArgument', 'A read scope must be an object such as { labels, start, stop }.')
  }
  const allowed = new Set(['labels', 'start', 'stop', 'owner', 'hint'])
  for (const key of Object.keys(scope)) {
    if (!allowed.has(key)) {
      throw new VarveError(
        'InvalidArgument',
        `Unknown read scope field "${key}"; the fields are ${[...allowed].join(', ')}.`,
      )
    }
  }
  const type = schema.columns.find((c) => c.index)!.type
  const show = (value: IndexValue) =>
    isTimestampType(type)
      ? formatTimestamp(value as bigint, timeUnitOf(type))
      : JSON.stringify(indexValueToJson(value))
  let labels: Set<string> | undefined
  if (scope.labels !== undefined) {
    if (!Array.isArray(scope.labels) || scope.labels.length === 0) {
      throw new VarveError(
        'InvalidArgument',
        'A read scope\'s labels must be a non-empty array of series labels, such as ["Brussels"]; leave it out for every series.',
      )
    }
    labels = new Set(scope.labels.map((label) => validateLabel(label)))
  }
  const start = scope.start === undefined ? undefined : schema.coerceIndexValue(scope.start)
  const stop = scope.stop === undefined ? undefined : schema.coerceIndexValue(scope.stop)
  if (start !== undefined && stop !== undefined && compareIndexValues(start, stop) >= 0) {
    throw new VarveError(
      'InvalidArgument',
      `A read scope's start (${show(start)}) must come before its stop (${show(stop)}); stop is exclusive.`,
    )
  }
  return {
    labels,
    start,
    stop,
    show,
    owner: scope.owner ?? 'this view',
    hint: scope.hint ?? 'Read the collection itself for data outside it.',
  }
}

/**
 * `inner` within `outer` (a dataset of a partial replica): the labels both
 * hold, the later start and the earlier stop; messages name `inner`.
 */
export function narrowScope(outer: ResolvedScope, inner: ResolvedScope): ResolvedScope {
  const later = (a: IndexValue | undefined, b: IndexValue | undefined, sign: number) =>
    a === undefined ? b : b === undefined || compareIndexValues(a, b) * sign >= 0 ? a : b
  const labels =
    outer.labels === undefined
      ? inner.labels
      : inner.labels === undefined
        ? outer.labels
        : new Set([...inner.labels].filter((label) => outer.labels!.has(label)))
  return {
    ...inner,
    labels,
    start: later(inner.start, outer.start, 1),
    stop: later(inner.stop, outer.stop, -1),
  }
}

/** Whether the scope holds the series. */
export function inScope(scope: ResolvedScope | undefined, label: string): boolean {
  return scope?.labels === undefined || scope.labels.has(label)
}

/** Throws `OutOfScope` unless the scope holds the series. */
export function checkScopeLabel(scope: ResolvedScope | undefined, label: string): void {
  if (scope === undefined || inScope(scope, label)) return
  throw new VarveError(
    'OutOfScope',
    `Series "${label}" is outside ${scope.owner}, which holds ${describeScope(scope)}. ${scope.hint}`,
    { details: { label, labels: [...(scope.labels ?? [])] } },
  )
}

/**
 * The part of `range` a scoped read may see. A bound the read leaves out
 * becomes the scope's; a bound beyond the scope throws `OutOfScope`; a stop on
 * the scope's own stop reads up to it (the scope's stop stays exclusive).
 */
export function clampToScope(scope: ResolvedScope | undefined, label: string, range: RowRange): RowRange {
  if (scope === undefined || (scope.start === undefined && scope.stop === undefined)) return range
  const outside = (bound: string, value: IndexValue) =>
    new VarveError(
      'OutOfScope',
      `Reading series "${label}" with ${bound} ${scope.show(value)} reaches outside ${scope.owner}, which holds ${describeScope(scope)}. Leave ${bound} out to read up to the scope's edge, or: ${scope.hint}`,
      { details: { label, [bound]: indexValueToJson(value) } },
    )
  const includeStart = range.closed === 'both' || range.closed === 'left'
  let includeStop = range.closed === 'both' || range.closed === 'right'
  let start = range.start
  let stop = range.stop
  if (scope.start !== undefined) {
    if (start === undefined) start = scope.start
    else if (compareIndexValues(start, scope.start) < 0) throw outside('start', start)
  }
  if (scope.stop !== undefined) {
    if (stop === undefined) {
      stop = scope.stop
      includeStop = false
    } else {
      const c = compareIndexValues(stop, scope.stop)
      if (c > 0) throw outside('stop', stop)
      if (c === 0) includeStop = false
    }
  }
  return {
    start,
    stop,
    closed: includeStart ? (includeStop ? 'both' : 'left') : includeStop ? 'right' : 'neither',
  }
}

/** "series a, b in index [start, stop)" for messages. */
export function describeScope(scope: ResolvedScope): string {
  const series = scope.labels === undefined ? 'every series' : `series ${[...scope.labels].join(', ')}`
  if (scope.start === undefined && scope.stop === undefined) return `only ${series}`
  const from = scope.start === undefined ? '(' : `[${scope.show(scope.start)}`
  const to = scope.stop === undefined ? ')' : `${scope.show(scope.stop)})`
  return `${series} in index ${from}, ${to}`
}
