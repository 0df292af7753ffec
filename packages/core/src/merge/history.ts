import type { Revision } from '../changelog/changelog.ts'

/** The DAG one listing gives, with ancestry queries. */
export class History {
  readonly #byId: ReadonlyMap<string, Revision>
  readonly #ancestors = new Map<string, ReadonlySet<string>>()

  constructor(revisions: readonly Revision[]) {
    this.#byId = new Map(revisions.map((r) => [r.id, r]))
  }

  get(id: string): Revision | undefined {
    return this.#byId.get(id)
  }

  /** `id` and every revision it descends from. */
  ancestors(id: string): ReadonlySet<string> {
    const known = this.#ancestors.get(id)
    if (known) return known
    const seen = new Set<string>()
    const stack = [id]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (seen.has(next)) continue
      seen.add(next)
      for (const parent of this.#byId.get(next)?.parents ?? []) stack.push(parent)
    }
    this.#ancestors.set(id, seen)
    return seen
  }

  /**
   * The state a merge of `heads` replays onto: the latest common ancestor such
   * that every revision the heads add on top of it descends from it. Those
   * revisions then all have later clocks than anything the base holds, so
   * replaying them in clock order on the base equals replaying all history.
   * Undefined means: replay from the empty collection.
   */
  mergeBase(heads: readonly string[]): Revision | undefined {
    const sets = heads.map((h) => this.ancestors(h))
    const all = new Set(sets.flatMap((s) => [...s]))
    const common = [...sets[0]!]
      .filter((id) => sets.every((s) => s.has(id)))
      .sort()
      .reverse()
    for (const candidate of common) {
      const below = this.ancestors(candidate)
      const above = [...all].filter((id) => !below.has(id))
      if (above.every((id) => this.ancestors(id).has(candidate))) return this.#byId.get(candidate)
    }
    return undefined
  }

  /** Revisions reachable from `heads` but not from `base`, in clock order. */
  since(base: Revision | undefined, heads: readonly string[]): Revision[] {
    const below = base ? this.ancestors(base.id) : new Set<string>()
    // Parents the listing does not hold (an incomplete copy) are skipped, not dereferenced.
    const ids = new Set(
      heads.flatMap((h) => [...this.ancestors(h)]).filter((id) => !below.has(id) && this.#byId.has(id)),
    )
    return [...ids].sort().map((id) => this.#byId.get(id)!)
  }
}
