import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Repo, type Store } from '@varve/core'
import { createAzureStore } from '@varve/store-azure'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Azurite, startAzurite } from '../../packages/store-azure/test/azurite.ts'
import { runTsChild } from '../support/child-process.ts'

const script = fileURLToPath(new URL('./dataset-publisher.ts', import.meta.url))
const RACERS = 10
const ROUNDS = 3
const schema = { timestamp: 'timestamp*', value: 'float64' } as const

interface Outcome {
  readonly round: number
  readonly racer: number
  readonly won: boolean
  readonly code?: string
  readonly message?: string
  readonly started: number
  readonly ended: number
}

/**
 * Starts RACERS processes on one repository and releases them together for
 * each round (a barrier file per round, written once every racer has finished
 * the previous one), and checks each round had exactly one winner.
 */
async function race(kind: string, storeJson: object, target: Store | string): Promise<void> {
  const repo = await Repo.open(target)
  for (let i = 0; i < RACERS; i++) await repo.createCollection(`c${i}`, schema)
  const barrier = await mkdtemp(join(tmpdir(), 'varve-dataset-race-'))
  const outcomes: Outcome[] = []
  const overlaps: number[] = []
  let ready = 0
  const release = (round: number) => void writeFile(join(barrier, `start-${round}`), '')
  try {
    const children = Array.from({ length: RACERS }, (_, racer) =>
      runTsChild(script, [JSON.stringify(storeJson), String(racer), barrier, String(ROUNDS)], {
        timeoutMs: 90_000,
        onLine(line) {
          if (line === 'ready') {
            if (++ready === RACERS) release(0)
            return
          }
          const outcome = JSON.parse(line) as Outcome
          outcomes.push(outcome)
          if (outcomes.filter((o) => o.round === outcome.round).length === RACERS) release(outcome.round + 1)
        },
      }),
    )
    for (const exit of await Promise.all(children.map((c) => c.exit))) {
      expect(exit.code, exit.stderr).toBe(0)
    }
  } finally {
    await rm(barrier, { recursive: true, force: true })
  }
  expect(outcomes).toHaveLength(RACERS * ROUNDS)
  for (let round = 0; round < ROUNDS; round++) {
    const inRound = outcomes.filter((o) => o.round === round)
    const winners = inRound.filter((o) => o.won)
    expect(winners, `round ${round}`).toHaveLength(1)
    const winner = `c${winners[0]!.racer}`
    // A real race: the winner's publish overlapped at least one loser's.
    const overlapping = inRound.filter((o) => o.started < winners[0]!.ended && o.ended > winners[0]!.started)
    expect(overlapping.length, `round ${round}`).toBeGreaterThan(1)
    overlaps.push(overlapping.length)
    // What every client sees afterwards is the winner's dataset, and every loser was told about it.
    expect((await repo.datasets.describe(`race-${round}`))!.collection).toBe(winner)
    for (const loser of inRound.filter((o) => !o.won)) {
      expect(loser.code).toBe('AlreadyExists')
      expect(loser.message).toContain(`(collection "${winner}" at its head)`)
    }
  }
  expect(await repo.datasets.list()).toEqual(Array.from({ length: ROUNDS }, (_, r) => `race-${r}`))
  await repo.close()
  console.log(`${kind}: racers whose publish overlapped the winner's, per round: ${overlaps.join(', ')}`)
}

describe(`${RACERS} OS processes racing to publish one dataset name`, () => {
  it('on the fs store: exactly one wins each round', async () => {
    const base = await mkdtemp(join(tmpdir(), 'varve-dataset-race-fs-'))
    try {
      const folder = join(base, 'repo')
      await race('fs', { folder }, folder)
    } finally {
      await rm(base, { recursive: true, force: true })
    }
  }, 120_000)

  describe('on Azure (Azurite)', () => {
    let azurite: Azurite
    beforeAll(async () => {
      azurite = await startAzurite()
    }, 60_000)
    afterAll(() => azurite?.stop())

    it('exactly one wins each round', async () => {
      const options = {
        connectionString: azurite.connectionString,
        container: await azurite.createContainer(),
        prefix: 'dataset-race',
      }
      await race('Azure', { azure: options }, createAzureStore(options))
    }, 120_000)
  })
})
