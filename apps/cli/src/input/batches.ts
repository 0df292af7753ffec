import type { ColumnSpec, Schema } from '@varve/core'
import { badInput, type Site } from './cell.ts'

/** Rows gathered per series: column name → values, and the input line of every row (for messages). */
export interface SeriesRows {
  readonly columns: Record<string, unknown[]>
  readonly lines: number[]
}

/**
 * Collects rows into series. `label` fixes the series of every row; without
 * it each row names its own in the `labelColumn`. Columns outside the schema
 * are refused, so a typo never drops data silently.
 */
export class Batches {
  readonly series = new Map<string, SeriesRows>()
  rows = 0
  readonly #schema: Schema
  readonly #label: string | undefined
  readonly #labelColumn: string

  constructor(schema: Schema, label: string | undefined, labelColumn: string) {
    this.#schema = schema
    this.#label = label
    this.#labelColumn = labelColumn
  }

  /** Checks a header (the names of a row's fields) once: every schema column, the label column, nothing else. */
  checkColumns(names: readonly string[], site: Site): void {
    const known = new Set(this.#schema.columns.map((c) => c.name))
    for (const name of names) {
      if (known.has(name) || (this.#label === undefined && name === this.#labelColumn)) continue
      throw badInput(
        site,
        name,
        `no such column in the collection (its columns are ${[...known].join(', ')}${this.#label === undefined ? `, plus "${this.#labelColumn}" naming the series` : ''}).`,
      )
    }
    for (const name of known) {
      if (!names.includes(name)) throw badInput(site, name, 'the column is missing from the input.')
    }
    if (this.#label === undefined && !names.includes(this.#labelColumn)) {
      throw badInput(
        site,
        this.#labelColumn,
        'no column names the series: give the series as an argument, or a column of that name (--series-column).',
      )
    }
  }

  /** Adds one row; `value(raw, spec)` turns its field into the column's value. */
  add(record: Record<string, unknown>, site: Site, value: (raw: unknown, spec: ColumnSpec) => unknown): void {
    const label = this.#label ?? String(record[this.#labelColumn] ?? '')
    if (label === '') throw badInput(site, this.#labelColumn, 'the series label is empty.')
    let rows = this.series.get(label)
    if (rows === undefined) {
      rows = { columns: Object.fromEntries(this.#schema.columns.map((c) => [c.name, []])), lines: [] }
      this.series.set(label, rows)
    }
    for (const spec of this.#schema.columns) rows.columns[spec.name]!.push(value(record[spec.name], spec))
    rows.lines.push(site.line)
    this.rows++
  }
}
