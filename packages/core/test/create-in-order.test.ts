import { setTimeout as sleep } from 'node:timers/promises'
import { createMemoryStore, type Store, VarveError } from '@varve/core'
import { describe, expect, it } from 'vitest'
import { createInOrder } from '../src/store/create-in-order.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

/** A memory store whose creates take `delay(key)` ms, logging when each starts and ends. */
function slowStore(delay: (key: string) => number): { store: Store; log: string[] } {
  const memory = createMemoryStore()
  const log: string[] = []
  const store: Store = {
    ...memory,
    create: async (key, data) => {
      log.push(`start ${key}`)
      await sleep(delay(key))
      await memory.create(key, data)
      log.push(`end ${key}`)
    },
  }
  return { store, log }
}

describe('createInOrder without a fast path', () => {
  it('creates a level at once and starts the next only once every create of it is done', async () => {
    const { store, log } = slowStore((key) => (key === 'a/1' ? 30 : 1))
    const created = await createInOrder(
      store,
      [
        [
          ['a/1', bytes('1')],
          ['a/2', async () => bytes('2')],
        ],
        [['b/1', bytes('3')]],
      ],
      { concurrency: 2 },
    )
    expect(created).toEqual([[true, true], [true]])
    expect(log.indexOf('start a/2')).toBeLessThan(log.indexOf('end a/1'))
    expect(log.indexOf('end a/1')).toBeLessThan(log.indexOf('start b/1'))
    expect(new TextDecoder().decode(await store.get('a/2'))).toBe('2')
  })

  it('reports taken keys as false and stops at the first failure, creating nothing of later levels', async () => {
    const { store } = slowStore(() => 1)
    await store.create('a/1', bytes('theirs'))
    const landed: [number, number, boolean][] = []
    const failing = async (): Promise<Uint8Array> => {
      throw new VarveError('Integrity', 'a corrupted source object')
    }
    await expect(
      createInOrder(store, [[['a/1', bytes('1')]], [['b/1', failing]], [['c/1', bytes('3')]]], {
        onCreated: (level, index, made) => landed.push([level, index, made]),
      }),
    ).rejects.toSatisfy((e: unknown) => VarveError.is(e, 'Integrity'))
    expect(landed).toEqual([[0, 0, false]])
    expect(await store.get('c/1')).toBeUndefined()
    await expect(createInOrder(store, [[['d', bytes('4')]]], { concurrency: 0 })).rejects.toSatisfy(
      (e: unknown) => VarveError.is(e, 'InvalidArgument'),
    )
  })
})
