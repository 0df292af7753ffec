import {
  createFaultyStore,
  createInstrumentedStore,
  createMemoryStore,
  type FaultRule,
  type FaultyStore,
  VarveError,
} from '@varve/core'
import { describe, expect, it } from 'vitest'

const bytes = (text: string) => new TextEncoder().encode(text)

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const keys: string[] = []
  for await (const key of iterable) keys.push(key)
  return keys
}

/** A faulty store over a memory store, with a counter of what reached the memory store. */
function setup(faults: readonly FaultRule[], seed?: number) {
  const memory = createMemoryStore()
  const inner = createInstrumentedStore(memory)
  const faulty = createFaultyStore(inner, { faults, seed })
  return { memory, inner, faulty }
}

/** Whether each of `n` gets of one key failed with an injected fault. */
async function failures(store: FaultyStore, n: number): Promise<boolean[]> {
  const outcomes: boolean[] = []
  for (let i = 0; i < n; i++) {
    outcomes.push(
      await store.get('k').then(
        () => false,
        (error) => {
          if (!VarveError.is(error) || error.details.injected !== true) throw error
          return true
        },
      ),
    )
  }
  return outcomes
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail')
}

describe('createFaultyStore', () => {
  it('fails with an injected VarveError without calling the inner store', async () => {
    const { memory, inner, faulty } = setup([{ error: 'Transient' }])
    await memory.put('a/b', bytes('x'))
    const error = await caught(faulty.get('a/b'))
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as VarveError).message).toBe('Injected fault: get a/b (Transient)')
    expect((error as VarveError).details).toEqual({ injected: true, op: 'get', key: 'a/b' })
    expect(inner.stats().total.requests).toBe(0)
    expect(faulty.injected).toBe(1)
  })

  it('throws the error a rule makes, as is', async () => {
    const custom = new Error('socket hang up')
    const { faulty } = setup([{ error: () => custom }])
    await expect(faulty.put('a', bytes('x'))).rejects.toBe(custom)
  })

  it('applies a rule only to its operations', async () => {
    const { faulty } = setup([{ ops: ['put', 'delete'], error: 'PermissionDenied' }])
    await expect(faulty.put('a', bytes('x'))).rejects.toSatisfy((e) => VarveError.is(e, 'PermissionDenied'))
    await expect(faulty.delete(['a'])).rejects.toSatisfy((e) => VarveError.is(e, 'PermissionDenied'))
    await faulty.create('a', bytes('x'))
    expect(await faulty.get('a')).toEqual(bytes('x'))
    expect(await faulty.getRange('a', { offset: 0, length: 1 })).toEqual(bytes('x'))
    expect(await collect(faulty.list(''))).toEqual(['a'])
    expect(faulty.injected).toBe(2)
  })

  it('applies a rule to keys under a prefix or matching a pattern', async () => {
    const { memory, faulty } = setup([
      { keys: 'chunks/', error: 'Integrity' },
      { keys: /\/heads\/[^/]+$/g, error: 'Transient' },
    ])
    await memory.put('refs/x', bytes('r'))
    await expect(faulty.get('chunks/ab')).rejects.toSatisfy((e) => VarveError.is(e, 'Integrity'))
    expect(await faulty.get('chunk')).toBeUndefined()
    expect(await faulty.get('refs/x')).toEqual(bytes('r'))
    // A g flag on the pattern must not make every other test miss.
    for (let i = 0; i < 3; i++) {
      await expect(faulty.get('c/heads/main')).rejects.toSatisfy((e) => VarveError.is(e, 'Transient'))
    }
    expect(await faulty.get('c/heads/main/x')).toBeUndefined()
  })

  it('tests a list rule against the prefix and fails before yielding anything', async () => {
    const { memory, inner, faulty } = setup([{ ops: ['list'], keys: 'revisions/', error: 'Transient' }])
    await memory.put('revisions/1', bytes('1'))
    await memory.put('other/1', bytes('1'))
    const seen: string[] = []
    const error = await caught(
      (async () => {
        for await (const key of faulty.list('revisions/')) seen.push(key)
      })(),
    )
    expect(VarveError.is(error, 'Transient')).toBe(true)
    expect((error as VarveError).details).toEqual({ injected: true, op: 'list', key: 'revisions/' })
    expect(seen).toEqual([])
    expect(inner.stats().list.requests).toBe(0)
    expect(await collect(faulty.list('other/'))).toEqual(['other/1'])
    expect(await collect(faulty.list(''))).toEqual(['other/1', 'revisions/1'])
  })

  it('fails a delete when any key matches, naming that key, and deletes nothing', async () => {
    const { memory, faulty } = setup([{ ops: ['delete'], keys: 'locked/', error: 'PermissionDenied' }])
    await memory.put('free/a', bytes('a'))
    await memory.put('locked/b', bytes('b'))
    const error = await caught(faulty.delete(['free/a', 'locked/b']))
    expect((error as VarveError).details).toEqual({ injected: true, op: 'delete', key: 'locked/b' })
    expect((error as VarveError).message).toBe('Injected fault: delete locked/b (PermissionDenied)')
    expect(await collect(memory.list(''))).toEqual(['free/a', 'locked/b'])
    await faulty.delete(['free/a'])
    expect(await collect(memory.list(''))).toEqual(['locked/b'])
  })

  it('lets the first skip calls pass and fires at most times times', async () => {
    const { faulty } = setup([{ skip: 2, times: 2, error: 'Transient' }])
    expect(await failures(faulty, 6)).toEqual([false, false, true, true, false, false])
    expect(faulty.injected).toBe(2)
  })

  it('counts skip and times only over matching calls', async () => {
    const { faulty } = setup([{ ops: ['get'], keys: 'k', skip: 1, times: 1, error: 'Transient' }])
    await faulty.get('other')
    await faulty.put('k', bytes('x'))
    expect(await failures(faulty, 3)).toEqual([false, true, false])
  })

  it('draws probabilities from a seeded generator, so runs repeat', async () => {
    const run = async (seed: number) =>
      failures(setup([{ probability: 0.5, error: 'Transient' }], seed).faulty, 200)
    const first = await run(42)
    expect(await run(42)).toEqual(first)
    expect(await run(7)).not.toEqual(first)
    const hits = first.filter(Boolean).length
    expect(hits).toBeGreaterThan(60)
    expect(hits).toBeLessThan(140)

    expect((await failures(setup([{ probability: 0, error: 'Transient' }]).faulty, 50)).some(Boolean)).toBe(
      false,
    )
    expect((await failures(setup([{ probability: 1, error: 'Transient' }]).faulty, 50)).every(Boolean)).toBe(
      true,
    )
  })

  it("with when: 'after', performs the write and then fails (a lost acknowledgement)", async () => {
    const { memory, inner, faulty } = setup([
      { ops: ['create', 'put', 'get'], when: 'after', times: 3, error: 'Transient' },
    ])
    await expect(faulty.create('a', bytes('one'))).rejects.toSatisfy((e) => VarveError.is(e, 'Transient'))
    expect(await memory.get('a')).toEqual(bytes('one'))
    await expect(faulty.put('a', bytes('two'))).rejects.toSatisfy((e) => VarveError.is(e, 'Transient'))
    expect(await memory.get('a')).toEqual(bytes('two'))
    await expect(faulty.get('a')).rejects.toSatisfy((e) => VarveError.is(e, 'Transient'))
    expect(inner.stats().get.requests).toBe(1)
    // The retry of the create now finds its own earlier write.
    await expect(faulty.create('a', bytes('one'))).rejects.toSatisfy((e) => VarveError.is(e, 'AlreadyExists'))
  })

  it("with when: 'after', a delete happens and a listing is started before the failure", async () => {
    const { memory, inner, faulty } = setup([
      { ops: ['delete', 'list'], when: 'after', error: 'StoreFailure' },
    ])
    await memory.put('a', bytes('a'))
    await expect(faulty.delete(['a'])).rejects.toSatisfy((e) => VarveError.is(e, 'StoreFailure'))
    expect(await memory.get('a')).toBeUndefined()
    await memory.put('b', bytes('b'))
    const seen: string[] = []
    const error = await caught(
      (async () => {
        for await (const key of faulty.list('')) seen.push(key)
      })(),
    )
    expect(VarveError.is(error, 'StoreFailure')).toBe(true)
    expect(seen).toEqual([])
    expect(inner.stats().list).toMatchObject({ requests: 1, keys: 1 })
  })

  it('delays calls by latencyMs, fixed or drawn from a range, and then lets them run', async () => {
    const { faulty } = setup([
      { ops: ['put'], latencyMs: 100 },
      { ops: ['get'], latencyMs: [60, 90] },
    ])
    let start = performance.now()
    await faulty.put('a', bytes('x'))
    const putTook = performance.now() - start
    start = performance.now()
    expect(await faulty.get('a')).toEqual(bytes('x'))
    const getTook = performance.now() - start
    start = performance.now()
    await faulty.delete(['a'])
    const deleteTook = performance.now() - start

    // setTimeout may fire a millisecond early; the upper bounds only catch a runaway delay.
    expect(putTook).toBeGreaterThanOrEqual(95)
    expect(getTook).toBeGreaterThanOrEqual(55)
    expect(putTook).toBeLessThan(2000)
    expect(deleteTook).toBeLessThan(50)
    expect(faulty.injected).toBe(2)
  })

  it('adds the latency of every firing rule, and the first firing error rule decides the failure', async () => {
    const { faulty } = setup([
      { latencyMs: 30 },
      { keys: 'a', error: 'Transient', times: 1 },
      { error: 'StoreFailure' },
    ])
    const start = performance.now()
    await expect(faulty.get('a')).rejects.toSatisfy((e) => VarveError.is(e, 'Transient'))
    expect(performance.now() - start).toBeGreaterThanOrEqual(25)
    expect(faulty.injected).toBe(2)
    await expect(faulty.get('a')).rejects.toSatisfy((e) => VarveError.is(e, 'StoreFailure'))
    expect(faulty.injected).toBe(4)
  })

  it('validates keys before injecting anything', async () => {
    const { faulty } = setup([{ error: 'Transient' }])
    await expect(faulty.get('/bad')).rejects.toSatisfy((e) => VarveError.is(e, 'InvalidKey'))
    await expect(faulty.delete(['ok', 'bad//key'])).rejects.toSatisfy((e) => VarveError.is(e, 'InvalidKey'))
    await expect(faulty.getRange('ok', { offset: -1, length: 1 })).rejects.toSatisfy((e) =>
      VarveError.is(e, 'InvalidArgument'),
    )
    await expect(collect(faulty.list('/'))).rejects.toSatisfy((e) => VarveError.is(e, 'InvalidKey'))
    expect(faulty.injected).toBe(0)
  })

  it('replaces its rules with setFaults, counting afresh', async () => {
    const { faulty } = setup([])
    expect(await failures(faulty, 2)).toEqual([false, false])
    faulty.setFaults([{ times: 1, error: 'Transient' }])
    expect(await failures(faulty, 2)).toEqual([true, false])
    faulty.setFaults([{ times: 1, error: 'Transient' }])
    expect(await failures(faulty, 2)).toEqual([true, false])
    expect(() => faulty.setFaults([{ error: 'Transient' }, { probability: 2, error: 'Transient' }])).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', details: { rule: 1 } }),
    )
    // A refused set of rules leaves the previous one in force.
    expect(await failures(faulty, 1)).toEqual([false])
    faulty.setFaults([])
    expect(await failures(faulty, 1)).toEqual([false])
    expect(faulty.injected).toBe(2)
  })

  it.each<[string, unknown]>([
    ['probability above 1', { probability: 1.5, error: 'Transient' }],
    ['negative probability', { probability: -0.1, error: 'Transient' }],
    ['NaN probability', { probability: Number.NaN, error: 'Transient' }],
    ['negative skip', { skip: -1, error: 'Transient' }],
    ['fractional skip', { skip: 1.5, error: 'Transient' }],
    ['negative times', { times: -1, error: 'Transient' }],
    ['empty ops', { ops: [], error: 'Transient' }],
    ['unknown op', { ops: ['read'], error: 'Transient' }],
    ['keys of the wrong type', { keys: 5, error: 'Transient' }],
    ['negative latency', { latencyMs: -1 }],
    ['reversed latency range', { latencyMs: [5, 1] }],
    ['one-sided latency range', { latencyMs: [1] }],
    ['unknown error code', { error: 'Bogus' }],
    ['unknown when', { when: 'later', error: 'Transient' }],
    ["'after' without an error", { when: 'after', latencyMs: 1 }],
    ['neither error nor latency', { ops: ['get'] }],
    ['a misspelt field', { op: ['get'], error: 'Transient' }],
    ['a rule that is not an object', 'Transient'],
  ])('refuses a rule with %s', (_, rule) => {
    expect(() => createFaultyStore(createMemoryStore(), { faults: [rule as FaultRule] })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })

  it('refuses a seed that is not a whole number, and faults that are not an array', () => {
    expect(() => createFaultyStore(createMemoryStore(), { seed: 1.5 })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
    const faults = { error: 'Transient' } as unknown as FaultRule[]
    expect(() => createFaultyStore(createMemoryStore(), { faults })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })

  it('composes: an instrumented store over a faulty one counts the injected failures', async () => {
    const faulty = createFaultyStore(createMemoryStore(), {
      faults: [{ ops: ['put'], times: 2, error: 'Transient' }],
    })
    const store = createInstrumentedStore(faulty)
    let attempts = 0
    for (;;) {
      attempts++
      try {
        await store.put('a', bytes('abc'))
        break
      } catch (error) {
        if (!VarveError.is(error, 'Transient')) throw error
      }
    }
    expect(attempts).toBe(3)
    expect(await store.get('a')).toEqual(bytes('abc'))
    expect(store.stats().put).toEqual({ requests: 3, bytes: 9, keys: 3, errors: 2 })
    expect(store.stats().total).toEqual({ requests: 4, bytes: 12, keys: 4, errors: 2 })
  })

  it('forwards description, capabilities and close', async () => {
    let closed = 0
    const memory = createMemoryStore({ description: 'memory://faulty' })
    const faulty = createFaultyStore({ ...memory, close: async () => void closed++ })
    expect(faulty.description).toBe('memory://faulty')
    expect(faulty.capabilities).toEqual(memory.capabilities)
    await faulty.close?.()
    expect(closed).toBe(1)
    expect(faulty.injected).toBe(0)
  })
})
