import { randomBytes } from 'node:crypto'
import { Storage } from '@google-cloud/storage'
import { Repo, Schema, VarveError } from '@varve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openGcsStore } from '../src/open-gcs-store.ts'
import { type GcsEmulator, startGcsEmulator } from './gcs-emulator.ts'

const schema = { timestamp: 'timestamp*', value: 'float64' } as const

async function failure(call: () => Promise<unknown>): Promise<VarveError> {
  const error = await call().then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  )
  expect(VarveError.is(error)).toBe(true)
  return error as VarveError
}

describe('Repo.open on gs:// URIs, against the Firebase Storage emulator', () => {
  let emulator: GcsEmulator
  let run: string
  const bucket = 'varve-uri'
  const options = () => ({ store: { apiEndpoint: emulator.endpoint, projectId: emulator.projectId } })

  beforeAll(async () => {
    emulator = await startGcsEmulator()
    run = `uri-${randomBytes(6).toString('hex')}`
  })
  afterAll(() => emulator?.stop())

  it('writes a series through gs://bucket/prefix and reads it back from a second open', async () => {
    const uri = `gs://${bucket}/${run}/prices`
    const repo = await Repo.open(uri, options())
    expect(repo.store.description).toBe(uri)
    const prices = await repo.createCollection('prices', schema)
    await prices
      .series('brent')
      .write({ timestamp: ['2024-01-01', '2024-01-02', '2024-01-03'], value: [77.0, 76.5, 78.25] })

    const again = await Repo.open(uri, { ...options(), create: false })
    expect(await again.collections()).toEqual(['prices'])
    const frame = await (await again.collection('prices'))!.series('brent').read({ start: '2024-01-02' })
    expect([...(frame.column('value') as Float64Array)]).toEqual([76.5, 78.25])

    const raw = new Storage({ apiEndpoint: emulator.endpoint, projectId: emulator.projectId }).bucket(bucket)
    const [files] = await raw.getFiles({ prefix: `${run}/` })
    const names = files.map((file) => file.name)
    expect(names).toContain(`${run}/prices/varve.json`)
    expect(names.every((name) => name.startsWith(`${run}/prices/`))).toBe(true)
  })

  it("takes SPEC's endpoint and project option names for apiEndpoint and projectId", async () => {
    const repo = await Repo.open(`gs://${bucket}/spec-names-${Date.now()}`, {
      store: { endpoint: emulator.endpoint, project: emulator.projectId },
    })
    const c = await repo.createCollection('c', new Schema({ timestamp: 'timestamp*', value: 'float64' }))
    await c.series('s').write({ timestamp: ['2020-01-01'], value: [1] })
    expect((await c.series('s').read()).length).toBe(1)
  })

  it('pushes a repository to gs:// named by URI, with the endpoint from STORAGE_EMULATOR_HOST, and clones it back', async () => {
    const local = await Repo.open('memory://')
    const temps = await local.createCollection('temperature', schema)
    await temps.series('Brussels').write({ timestamp: ['2020-01-01', '2020-01-02'], value: [1, 2] })
    const uri = `gs://${bucket}/${run}/pushed`
    process.env.STORAGE_EMULATOR_HOST = emulator.endpoint
    try {
      await local.push(uri)
      const copy = await Repo.clone(uri, 'memory://')
      const values = (await (await copy.collection('temperature'))!.series('Brussels').read()).column('value')
      expect([...(values as Float64Array)]).toEqual([1, 2])
    } finally {
      delete process.env.STORAGE_EMULATOR_HOST
    }
  })

  it('opens a URI whose prefix is percent-encoded, and a bucket root', async () => {
    const spaced = await Repo.open(`gs://${bucket}/${run}/with%20space`, options())
    expect(spaced.store.description).toBe(`gs://${bucket}/${run}/with space`)
    await spaced.store.put('k', new Uint8Array([1]))
    expect(
      await openGcsStore(new URL(`gs://${bucket}/${run}/with%20space/`), options().store).get('k'),
    ).toEqual(new Uint8Array([1]))
    expect(openGcsStore(new URL(`gs://${bucket}`), options().store).description).toBe(`gs://${bucket}`)
  })
})

describe('openGcsStore refuses malformed URIs and options', () => {
  it.each([
    ['gs:///prefix', /names no bucket/],
    ['gs://bucket:9199/prefix', /without a port, query or fragment/],
    ['gs://bucket/prefix?apiEndpoint=x', /without a port, query or fragment/],
    ['gs://bucket/prefix#c', /without a port, query or fragment/],
    ['gs://Bucket_Name/prefix', /lowercase letters/],
    ['gs://bucket/a//b', /not a valid key prefix/],
  ])('%s', async (uri, message) => {
    const error = await failure(() => Repo.open(uri))
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toMatch(message)
  })

  it('never repeats credentials written into the URI', async () => {
    const error = await failure(() => Repo.open('gs://user:secret@bucket/prefix'))
    expect(error.code).toBe('InvalidArgument')
    expect(error.message).toMatch(/must not hold credentials/)
    expect(error.message).not.toMatch(/secret|user/)
  })

  it('refuses bucket and prefix options, which the URI names, and unknown options', async () => {
    for (const store of [{ bucket: 'other' }, { prefix: 'other' }]) {
      expect((await failure(() => Repo.open('gs://bucket/p', { store }))).message).toMatch(
        /cannot be given with a gs:\/\/ URI/,
      )
    }
    expect((await failure(() => Repo.open('gs://bucket/p', { store: { region: 'x' } }))).message).toMatch(
      /Unknown GCS store option "region"/,
    )
  })
})
