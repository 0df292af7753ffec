import { Frame, type Schema, VarveError } from '@varve/core'
import { tableFromIPC } from 'apache-arrow'

/**
 * An Arrow IPC file or stream as frames per series: the whole table is the
 * series `label`, or, without one, each run of rows sharing a value of
 * `labelColumn` (a string column) goes to that series. Column types must
 * match the schema's (Frame.fromArrow checks them).
 */
export function arrowFrames(
  bytes: Uint8Array,
  schema: Schema,
  label: string | undefined,
  labelColumn: string,
  source: string,
): Map<string, Frame> {
  let table: ReturnType<typeof tableFromIPC>
  try {
    table = tableFromIPC(bytes)
  } catch (cause) {
    throw new VarveError(
      'InvalidArgument',
      `${source} is not Arrow IPC (file or stream): ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  const names = schema.columns.map((c) => c.name)
  for (const field of table.schema.fields) {
    if (!names.includes(field.name) && (label !== undefined || field.name !== labelColumn)) {
      throw new VarveError(
        'InvalidArgument',
        `${source} has a column "${field.name}" the collection does not; its columns are ${names.join(', ')}.`,
      )
    }
  }
  if (label !== undefined) return new Map([[label, Frame.fromArrow(table.select(names), schema)]])
  const labels = table.getChild(labelColumn)
  if (labels === null) {
    throw new VarveError(
      'InvalidArgument',
      `${source} has no column "${labelColumn}" naming the series: give the series as an argument, or name the column with --series-column.`,
    )
  }
  const values = labels.toArray() as ArrayLike<unknown>
  const parts = new Map<string, Frame[]>()
  const data = table.select(names)
  for (let start = 0; start < values.length; ) {
    const name = values[start]
    if (typeof name !== 'string' || name === '') {
      throw new VarveError(
        'InvalidArgument',
        `${source}, row ${start}: the series label must be non-empty text.`,
      )
    }
    let end = start + 1
    while (end < values.length && values[end] === name) end++
    const list = parts.get(name) ?? []
    list.push(Frame.fromArrow(data.slice(start, end), schema))
    parts.set(name, list)
    start = end
  }
  return new Map([...parts].map(([name, frames]) => [name, Frame.concat(schema, frames)]))
}
