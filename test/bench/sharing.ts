import { join } from 'node:path'
import { createInstrumentedStore, publish, Repo, replicate, Schema } from '@varve/core'
import { createFsStore } from '@varve/store-fs'

export interface SharingRequests {
  /** Revisions in the upstream's history (settled ones packed). */
  readonly revisions: number
  /** Requests on the upstream store of a `replica.pull()` with nothing new, and how many were listings. */
  readonly upToDate: { readonly total: number; readonly list: number }
  /** Requests on the upstream of a pull bringing one 10-row revision. */
  readonly oneRevision: number
}

/**
 * A collection of 10 series with `revisions` appends is published from one
 * folder to another (the upstream, behind an instrumented store) and
 * replicated into a third; then the requests an up-to-date `replica.pull()`
 * and a one-revision pull make on the upstream are counted.
 */
export async function sharingRequests(root: string, revisions = 100): Promise<SharingRequests> {
  const schema = new Schema({ timestamp: 'timestamp*', value: 'float64' })
  const publisher = await Repo.open(join(root, 'sharing-publisher'))
  const collection = await publisher.createCollection('prices', schema)
  const append = (i: number) =>
    collection.write(
      Object.fromEntries(
        Array.from({ length: 10 }, (_, s) => [
          `s${s}`,
          {
            timestamp: Array.from({ length: 10 }, (_, r) => (i * 10 + r) * 1000),
            value: Array.from({ length: 10 }, (_, r) => s + i + r / 10),
          },
        ]),
      ),
    )
  for (let i = 0; i < revisions; i++) await append(i)
  const upstream = createInstrumentedStore(createFsStore({ root: join(root, 'sharing-upstream') }))
  await publish(collection, { store: upstream, collection: 'prices' })
  const consumer = await Repo.open(join(root, 'sharing-consumer'))
  const replica = await replicate({ store: upstream, collection: 'prices' }, consumer, 'prices')

  upstream.resetStats()
  const same = await replica.pull()
  if (!same.upToDate) throw new Error('the replica was not up to date')
  const stats = upstream.stats()
  const upToDate = { total: stats.total.requests, list: stats.list.requests }

  await append(revisions)
  await collection.push()
  upstream.resetStats()
  const next = await replica.pull()
  if (next.revisions !== 1) throw new Error(`expected one new revision, pulled ${next.revisions}`)
  return { revisions: revisions + 1, upToDate, oneRevision: upstream.stats().total.requests }
}
