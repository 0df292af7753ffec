/**
 * The README's demo: a repository in a local folder — create, write, read,
 * history, time travel, two writers at once and their merge, and a push to a
 * second store.
 */
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Repo, Schema } from '@varve/core'

const folder = resolve(process.argv[2] ?? '../demo-data')
await rm(folder, { recursive: true, force: true })

const say = (text: string) => console.log(`\n▸ ${text}`)

say(`Repo.open('${folder}') — a new repository in a local folder`)
const repo = await Repo.open(folder)
const temps = await repo.createCollection(
  'temperature',
  new Schema({ timestamp: 'timestamp*', value: 'float64' }),
)

say('write two days for Brussels, then append a third')
const brussels = temps.series('Brussels')
await brussels.write({ timestamp: ['2020-01-01T00:00', '2020-01-02T00:00'], value: [1.5, 2.25] })
await brussels.write({ timestamp: ['2020-01-03T00:00'], value: [3.125] })

say('correct the second day (a write replaces the rows in its range)')
await brussels.write({ timestamp: ['2020-01-02T00:00'], value: [2.5] })

say('write Paris and Oslo in one commit')
await temps.write({
  Paris: { timestamp: ['2020-01-01T00:00', '2020-01-02T00:00'], value: [4, 5] },
  Oslo: { timestamp: ['2020-01-01T00:00', '2020-01-02T00:00'], value: [-3, -4] },
})

say('read Brussels from 2020-01-02 on')
console.log((await brussels.read({ start: '2020-01-02' })).toString())

say('history: every write is a revision')
const log = await temps.log()
for (const revision of log)
  console.log(
    `  ${revision.id}  ${revision.time.toISOString()}  parents: ${revision.parents.join(', ') || '—'}`,
  )

say(`time travel: Brussels as of the second revision (${log[1]!.id})`)
console.log((await temps.at(log[1]!.id).series('Brussels').read()).toString())

say('two writers on the same head at once: both writes kept, as two heads')
const other = (await (await Repo.open(folder)).collection('temperature'))!
await Promise.all([
  brussels.write({ timestamp: ['2020-01-04T00:00'], value: [4] }),
  other.series('Oslo').write({ timestamp: ['2020-01-03T00:00'], value: [-5] }),
])
for (const head of await temps.heads()) console.log(`  head ${head.id}`)
console.log(`  series: ${(await temps.labels()).join(', ')}`)

say('merge: the heads join into one, keeping both writes')
const merged = await temps.merge()
console.log(
  `  merged ${merged.merged.length} heads into ${merged.revision?.id}; heads now: ${(await temps.heads()).length}`,
)
console.log((await brussels.read({ start: '2020-01-03' })).toString())

const replica = `${folder}-replica`
await rm(replica, { recursive: true, force: true })
say(`push to a second store (${replica}), then write more and push again: only what is new travels`)
const first = await repo.push(replica, { concurrency: 4 })
for (const c of first.collections)
  console.log(`  ${c.collection}: ${c.revisions} revisions, ${c.objects} objects, ${c.bytes} bytes`)
await brussels.write({ timestamp: ['2020-01-05T00:00'], value: [5] })
const second = await repo.push(replica)
for (const c of second.collections)
  console.log(`  ${c.collection}: ${c.revisions} revisions, ${c.objects} objects, ${c.bytes} bytes`)
const copy = (await (await Repo.open(replica)).collection('temperature'))!
console.log(`  the replica has ${(await copy.log()).length} revisions; Oslo there:`)
console.log((await copy.series('Oslo').read()).toString())

say(`done — the repositories are in ${folder} and ${replica}`)
