import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runVarve, type VarveRun } from '../../apps/cli/test/run-varve.ts'
import { type Clouds, randomPrefix, startClouds } from '../replication/clouds.ts'
import { type CollectionContents, copyProblems, readRepoContents } from '../sync/repo-contents.ts'
import { buildSourceRepo } from '../sync/source-repo.ts'

let clouds: Clouds | undefined
let base: string
let source: string
let sourceContents: Map<string, CollectionContents>
const runs: VarveRun[] = []

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'varve-cli-clouds-'))
  source = join(base, 'source')
  const [started] = await Promise.all([startClouds(), buildSourceRepo(source, join(base, 'side'))])
  clouds = started
  sourceContents = await readRepoContents(source)
  const s3 = clouds.s3Options('unused')
  const { bucket: _bucket, prefix: _prefix, ...s3Options } = s3
  // Aliases only: the commands below name no endpoint, bucket or credential.
  const config = {
    repo: 'local',
    repos: {
      local: './source',
      s3: { uri: `s3://${s3.bucket}/${randomPrefix()}`, options: s3Options },
      gcs: {
        uri: `gs://${clouds.gcs.bucket}/${randomPrefix()}`,
        options: { endpoint: clouds.gcs.endpoint, project: clouds.gcs.projectId },
      },
      azure: {
        uri: `az://devstoreaccount1/${clouds.azure.container}/${randomPrefix()}`,
        options: { connectionString: clouds.azure.connectionString },
      },
      nobucket: { uri: 's3://no-such-bucket-varve/x', options: s3Options },
      back: './back',
    },
  }
  await writeFile(join(base, 'varve.config.json'), JSON.stringify(config, null, 2))
}, 120_000)

afterAll(async () => {
  try {
    await clouds?.stop()
  } finally {
    await rm(base, { recursive: true, force: true })
  }
})

async function varve(args: string[], killAt?: number): Promise<VarveRun> {
  let lines = 0
  const run = await runVarve(['--progress', 'lines', ...args], {
    cwd: base,
    env: { VARVE_STATE_DIR: join(base, 'state') },
    timeoutMs: 60_000,
    onStderrLine: (_line, kill) => {
      if (++lines === killAt) kill()
    },
  })
  runs.push(run)
  return run
}

describe('varve against the emulators, repositories named by alias', () => {
  it('push to S3 (killed once, then re-run), clone S3 → GCS → Azure → folder: the same history everywhere', async () => {
    const killed = await varve(['push', 's3', '--concurrency', '2'], 8)
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    const pushed = await varve(['push', 's3'])
    expect(pushed.code, pushed.stderr).toBe(0)

    for (const [from, to] of [
      ['s3', 'gcs'],
      ['gcs', 'azure'],
      ['azure', 'back'],
    ]) {
      const clone = await varve(['clone', from!, to!])
      expect(clone.code, `${from} → ${to}: ${clone.stderr}`).toBe(0)
      expect(clone.stderr).toMatch(/^clone events: \d+\/\d+ objects/m)
    }
    expect(copyProblems(sourceContents, await readRepoContents(join(base, 'back')), true)).toEqual([])

    const heads = await varve(['--json', '--repo', 'azure', 'heads', 'meters'])
    expect(JSON.parse(heads.stdout).map((h: { id: string }) => h.id)).toEqual(
      sourceContents.get('meters')!.heads,
    )
    const read = await varve(['--repo', 'gcs', 'read', 'weather', 'station-00', '--limit', '2', '--csv'])
    expect(read.stdout.split('\n')[0]).toBe('timestamp,value,ok')
    expect(read.stdout.split('\n')).toHaveLength(4)

    const again = await varve(['--json', 'pull', 's3'])
    for (const c of JSON.parse(again.stdout).collections) expect([c.revisions, c.objects]).toEqual([0, 0])
    const stats = await varve(['--json', 'stats'])
    const [repo, remote] = JSON.parse(stats.stdout).last.stores
    expect(remote.store).toMatch(/^s3:\/\//)
    // Nothing new: nothing is written on either side.
    expect(remote.stats.put.requests + repo.stats.put.requests + repo.stats.create.requests).toBe(0)
  }, 180_000)

  it('says a missing bucket holds no repository (NotFound), and never prints a credential', async () => {
    const failed = await varve(['--repo', 'nobucket', 'ls'])
    expect(failed.code).toBe(4)
    expect(failed.stderr).toBe(
      'varve: No Varve repository at s3://no-such-bucket-varve/x; create one with: varve init nobucket [NotFound]\n',
    )
    const secret = clouds!.s3Options('x').credentials as { secretAccessKey: string }
    for (const run of runs) {
      expect(run.stdout + run.stderr).not.toContain(secret.secretAccessKey)
      expect(run.stdout + run.stderr).not.toContain('AccountKey=')
    }
  })
})
