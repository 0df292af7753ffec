import { createMemoryStore, type Store, VarveError } from '@varve/core'
import { type ConformanceReport, runStoreConformance } from '@varve/store-conformance'
import { beforeAll, describe, expect, it } from 'vitest'
import { brokenStores } from './broken-stores.ts'

type Result = ConformanceReport['results'][number]
const fullName = (result: Result) => `${result.group} > ${result.name}`

let memory: ConformanceReport

beforeAll(async () => {
  memory = await runStoreConformance({ create: () => createMemoryStore() })
})

/** The full name of the one check whose name holds `fragment`. */
function check(fragment: string): string {
  const hits = memory.results.map(fullName).filter((name) => name.includes(fragment))
  if (hits.length !== 1) throw new Error(`${hits.length} checks match ${JSON.stringify(fragment)}: ${hits}`)
  return hits[0] as string
}

async function failing(create: () => Store): Promise<string[]> {
  const report = await runStoreConformance({ create })
  return report.results
    .filter((result) => !result.passed)
    .map(fullName)
    .sort()
}

describe('the memory store', () => {
  it('passes every check of every group, then cleans up and is destroyed', () => {
    expect(memory.results.filter((result) => !result.passed)).toEqual([])
    expect(memory.failed).toBe(0)
    expect(memory.passed).toBe(memory.results.length)
    expect(new Set(memory.results.map((result) => result.group))).toEqual(
      new Set([
        'round trips',
        'missing keys',
        'ranged reads',
        'reads into a buffer',
        'listing',
        'deletes',
        'create-only',
        'concurrency',
        'faults',
        'cleanup',
      ]),
    )
  })
})

describe('deliberately broken stores fail exactly the checks of their bug', () => {
  const cases: [keyof typeof brokenStores, string[]][] = [
    ['createOverwrites', ['create on an existing key', 'racers creating one key', 'create that landed']],
    ['createCheckThenWrite', ['racers creating one key']],
    ['listUtf16Order', ['ascending order of their UTF-8 bytes']],
    [
      'listFolderOrder',
      ['middle of a segment', 'ascending order of their UTF-8 bytes', 'lists each key once'],
    ],
    ['listVersions', ['lists each key once', 'once faults are cleared']],
    ['listFirstPageOnly', ['more than one page', 'deletes every key the run wrote']],
    ['listWholeSegmentsOnly', ['middle of a segment', 'deeply nested', 'unicode and odd characters']],
    ['getReturnsStoredBuffer', ['returned bytes are a copy']],
    ['putKeepsCallerBuffer', ['copy the caller’s bytes']],
    [
      'getRangeIgnoresRange',
      [
        'returned bytes are a copy',
        'range inside',
        'ending at the last byte',
        'past the end',
        'length 0',
        'invalid range',
      ],
    ],
    [
      'rangeReadFalseServesRanges',
      [
        'getRange of a missing key',
        'range inside',
        'ending at the last byte',
        'past the end',
        'length 0',
        'of an empty object',
      ],
    ],
    [
      'getThrowsNotFound',
      ['get of a missing key', 'one call deletes', 'delete is idempotent', 'after a delete no longer'],
    ],
    [
      'rawErrors',
      [
        'get rejects invalid keys',
        'getRange rejects invalid keys',
        'put rejects invalid keys',
        'create rejects invalid keys',
        'delete rejects',
        'list rejects',
        'invalid range',
        'create on an existing key',
        'racers creating one key',
        'transient failures and latency',
        'once faults are cleared',
        'create that landed',
      ],
    ],
    [
      'readIntoCountsBuffer',
      ['a buffer longer than the object', 'is filled from its own start', 'an empty object reads as 0 bytes'],
    ],
    ['deleteFirstBatchOnly', ['one call deletes', 'deletes every key the run wrote']],
    ['deleteRefusesEmptyBatch', ['delete is idempotent']],
  ]

  it.each(cases)('%s', async (store, fragments) => {
    expect(await failing(brokenStores[store])).toEqual(fragments.map(check).sort())
  })

  it('putInPlace (torn and untruncated writes) fails the overwrite and concurrency checks', async () => {
    const failed = await failing(brokenStores.putInPlace)
    expect(failed).toEqual(
      expect.arrayContaining([check('shorter, then longer'), check('concurrent overwrites')]),
    )
    // Whether fault-injected writers happen to interleave is left to chance; nothing else may fail.
    expect(failed.filter((name) => !/^(round trips|concurrency|faults) > /.test(name))).toEqual([])
  })

  it('every failure of a store throwing raw errors says it is not a VarveError', async () => {
    const report = await runStoreConformance({ create: brokenStores.rawErrors })
    for (const result of report.results.filter((r) => !r.passed)) {
      expect(String((result.error as Error).message)).toMatch(/threw Error: SDK error: .*not a VarveError/)
    }
  })
})

describe('weaker guarantees', () => {
  it('a known limit turns the race into the weaker check, with the reason in its name', async () => {
    const reason = 'the test double checks, then writes'
    const report = await runStoreConformance({
      create: brokenStores.createCheckThenWrite,
      knownLimits: { createNotAtomic: reason },
    })
    expect(report.failed).toBe(0)
    const race = report.results.find((result) => result.name.includes('racers creating one key'))
    expect(race?.name).toContain('at least one wins')
    expect(race?.name).toContain(`weaker guarantee, known limit createNotAtomic: ${reason}`)
  })

  it('a store declaring atomicCreate: false is held to the weaker race only', async () => {
    const create = () => ({
      ...brokenStores.createCheckThenWrite(),
      capabilities: { atomicCreate: false, rangeRead: true },
    })
    expect(await failing(create)).toEqual([])
  })

  it('the weaker race still fails a store whose losers get another error than AlreadyExists or PreconditionFailed', async () => {
    const create = (): Store => {
      const inner = createMemoryStore()
      return {
        ...inner,
        capabilities: { atomicCreate: false, rangeRead: true },
        create: (key, bytes) =>
          inner.create(key, bytes).catch((error: unknown) => {
            throw VarveError.is(error, 'AlreadyExists')
              ? new VarveError('StoreFailure', `${key} is taken`)
              : error
          }),
      }
    }
    expect(await failing(create)).toEqual(
      [
        'racers creating one key',
        'create on an existing key',
        'transient failures and latency',
        'once faults are cleared',
        'create that landed',
      ]
        .map(check)
        .sort(),
    )
  })
})
