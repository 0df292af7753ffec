import type { Store } from '@varve/core'

/** A repository's objects sorted by kind: tree leaves (label → series index), series indexes (their chunks), chunks. */
export interface Objects {
  readonly leaves: Map<string, [string, string][]>
  readonly series: Map<string, string[]>
  readonly chunks: Set<string>
}

export async function objectsOf(store: Store): Promise<Objects> {
  const out: Objects = { leaves: new Map(), series: new Map(), chunks: new Set() }
  const keys: string[] = []
  for await (const key of store.list('objects/')) keys.push(key)
  await Promise.all(
    keys.map(async (key) => {
      const hash = key.slice('objects/'.length).replace('/', '')
      const bytes = (await store.get(key))!
      if (new TextDecoder().decode(bytes.subarray(0, 4)) === 'VRVC') {
        out.chunks.add(hash)
        return
      }
      const json = JSON.parse(new TextDecoder().decode(bytes))
      if (json.kind === 'series')
        out.series.set(
          hash,
          json.segments.map((s: unknown[]) => s[0]),
        )
      else if (json.kind === 'leaf')
        out.leaves.set(
          hash,
          json.entries.map((e: unknown[]) => [e[0], e[1]]),
        )
    }),
  )
  return out
}

/** The chunks of `labels` that `objects` reaches (through every leaf and series index it holds). */
export function chunksOf(objects: Objects, labels: readonly string[]): Set<string> {
  const chunks = new Set<string>()
  for (const entries of objects.leaves.values()) {
    for (const [label, index] of entries) {
      if (!labels.includes(label)) continue
      for (const chunk of objects.series.get(index) ?? []) chunks.add(chunk)
    }
  }
  return chunks
}
