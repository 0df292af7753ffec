import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createMemoryStore, type Store, VarveError } from '@varve/core'
import { runStoreConformance } from '@varve/store-conformance'
import { describe, expect, it } from 'vitest'

async function keysOf(store: Store): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.list('')) keys.push(key)
  return keys
}

describe('runStoreConformance', () => {
  it('deletes everything the run wrote and destroys the store once, with the given destroy', async () => {
    const store = createMemoryStore()
    const destroyed: Store[] = []
    const report = await runStoreConformance({ create: () => store, destroy: (s) => void destroyed.push(s) })
    expect(report.failed).toBe(0)
    expect(await keysOf(store)).toEqual([])
    expect(destroyed).toEqual([store])
    expect(report.results.slice(-2).map((r) => `${r.group} > ${r.name}`)).toEqual([
      'cleanup > deletes every key the run wrote',
      'cleanup > destroys the store',
    ])
  })

  it('closes the store by default, and reports a failing close', async () => {
    let closed = 0
    const create = (): Store => ({ ...createMemoryStore(), close: async () => void closed++ })
    expect((await runStoreConformance({ create })).failed).toBe(0)
    expect(closed).toBe(1)

    const failingClose = (): Store => ({
      ...createMemoryStore(),
      close: () => Promise.reject(new VarveError('StoreFailure', 'cannot close')),
    })
    const report = await runStoreConformance({ create: failingClose })
    expect(report.results.filter((r) => !r.passed)).toEqual([
      {
        group: 'cleanup',
        name: 'destroys the store',
        passed: false,
        error: expect.objectContaining({ message: 'cannot close' }),
      },
    ])
  })

  it('reports cleanup errors instead of swallowing them', async () => {
    const create = (): Store => {
      const store = createMemoryStore()
      let listings = 0
      return {
        ...store,
        // The kit's own checks list a few dozen times; the cleanup's listing is the last and fails.
        list: (prefix) =>
          prefix.split('/').length === 2 && ++listings === 1 ? failingList() : store.list(prefix),
      }
    }
    async function* failingList(): AsyncGenerator<string> {
      yield* []
      throw new VarveError('Transient', 'listing timed out')
    }
    const report = await runStoreConformance({ create })
    const cleanup = report.results.find((r) => r.name === 'deletes every key the run wrote')
    expect(cleanup?.passed).toBe(false)
    expect(String((cleanup?.error as Error | undefined)?.message)).toMatch(
      /Cleaning up .* failed: .*listing timed out.*delete them by hand/,
    )
    expect(report.failed).toBe(1)
  })

  it('when create fails, reports it as setup and fails every check with it as the cause', async () => {
    const cause = new VarveError('PermissionDenied', 'no credentials')
    const report = await runStoreConformance({ create: () => Promise.reject(cause) })
    expect(report.results[0]).toEqual({
      group: 'setup',
      name: 'creates the store',
      passed: false,
      error: cause,
    })
    expect(report.passed).toBe(0)
    expect(report.failed).toBe(report.results.length)
    for (const result of report.results.slice(1)) expect((result.error as Error).cause).toBe(cause)
    expect(report.results.some((r) => r.group === 'cleanup')).toBe(false)
  })

  it('refuses a store that does not declare its capabilities as booleans, and still destroys it', async () => {
    let closed = 0
    const create = () =>
      ({
        ...createMemoryStore(),
        capabilities: { atomicCreate: 'yes' },
        close: async () => void closed++,
      }) as unknown as Store
    const report = await runStoreConformance({ create })
    expect(report.results[0]?.passed).toBe(false)
    expect(String((report.results[0]?.error as Error | undefined)?.message)).toMatch(
      /expected \{ atomicCreate: boolean, rangeRead: boolean \}/,
    )
    expect(closed).toBe(1)
  })

  it('names the race after the number of racers', async () => {
    const report = await runStoreConformance({ create: () => createMemoryStore(), racers: 4 })
    expect(report.failed).toBe(0)
    expect(report.results.some((r) => r.name.startsWith('4 racers creating one key: exactly one wins'))).toBe(
      true,
    )
  })

  it.each([
    [{ racers: 1 }, /racers/],
    [{ racers: 2.5 }, /racers/],
    [{ knownLimits: { createIsSlow: 'x' } }, /unknown limit "createIsSlow"/],
    [{ knownLimits: { createNotAtomic: '' } }, /reason/],
    [{ create: undefined }, /create/],
  ])('rejects malformed options %j with InvalidArgument', async (options, message) => {
    const error = await runStoreConformance({ create: () => createMemoryStore(), ...options } as never).catch(
      (e) => e,
    )
    expect(VarveError.is(error, 'InvalidArgument')).toBe(true)
    expect(error.message).toMatch(message)
  })

  it('runs outside vitest', async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli')
    const script = fileURLToPath(new URL('./fixtures/run-outside-vitest.ts', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, [
      tsx,
      '--conditions=@varve/source',
      script,
    ])
    expect(JSON.parse(stdout)).toEqual({ passed: expect.any(Number), failed: 0 })
  })
})
