/**
 * `pnpm bench`: Varve against the raw reference measured in the same run,
 * medians of several runs. Sizes shrink with BENCH_QUICK=1 for a smoke run;
 * BENCH_CLOUDS=0 skips the cloud section (it starts the emulators).
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchAppends } from './appends.ts'
import { benchClouds, printClouds } from './clouds.ts'
import { benchHttpRange } from './http-range.ts'
import { benchMetadata, bytesPerRow } from './metadata.ts'
import { sharingRequests } from './sharing.ts'
import { benchMerge, benchPull, upToDateRequests } from './sync.ts'
import { benchW1 } from './w1.ts'
import { centPrices, randomWalk } from './workloads.ts'

const quick = process.env.BENCH_QUICK === '1'
const root = await mkdtemp(join(tmpdir(), 'varve-bench-'))
const fmt = (n: number, digits = 2) => n.toFixed(digits)

try {
  console.log(
    `Varve benchmarks${quick ? ' (quick sizes)' : ''}: medians; ratios are Varve ÷ raw reference in the same run.\n`,
  )
  // Five runs: W1's write and read swing run to run with the disk's background writeback.
  const w1 = await benchW1({
    root,
    series: quick ? 10 : 100,
    rows: quick ? 10_000 : 100_000,
    runs: quick ? 1 : 5,
  })
  console.log('W1 on the fs store (100 series × 100,000 rows, 1 s timestamps, float64 random walk):')
  console.log('| operation | Varve ms | raw ms | ratio | goal |')
  console.log('| --- | ---: | ---: | ---: | --- |')
  for (const r of w1.rows)
    console.log(
      `| ${r.name} | ${fmt(r.varveMs, 1)} | ${fmt(r.rawMs, 1)} | ${fmt(r.varveMs / r.rawMs)}× | ${r.goal ?? ''} |`,
    )

  const pull = await benchPull(root, w1.repoDir, quick ? 1 : 3)
  console.log('\nSync')
  console.log(
    `| pull of W1 into an empty repository | ${fmt(pull.varveMs, 0)} ms vs raw copy ${fmt(pull.rawMs, 0)} ms | ${fmt(pull.varveMs / pull.rawMs)}× | goal ≤ 1.5× |`,
  )
  const upToDate = await upToDateRequests(w1.repoDir, `${root}/up-to-date`)
  console.log(
    `| requests of an up-to-date pull of W1 | ${upToDate.source} on the source, ${upToDate.target} on the destination | | |`,
  )
  const shared = await sharingRequests(root)
  console.log(
    `| requests on the upstream of an up-to-date replica.pull() (${shared.revisions} revisions, 10 series) | ${shared.upToDate.total} (${shared.upToDate.list} listing) | then ${shared.oneRevision} to pull one new revision | goal 1 |`,
  )
  console.log(
    `| merge of two branches appending overlapping rows to 100 series | ${fmt(await benchMerge(quick ? 1 : 3, quick ? 10 : 100), 0)} ms | | |`,
  )

  const appends = await benchAppends(root, quick ? 1 : 3, quick ? 200 : 1000)
  console.log('\nAppends: 1,000 × 10 rows to one series')
  console.log(`| last 100 ÷ first 100 appends | ${fmt(appends.lastOverFirst)}× | goal ≤ 1.5× |`)
  console.log(
    `| all appends vs raw file appends | ${fmt(appends.appendMs, 0)} ms vs ${fmt(appends.rawAppendMs, 0)} ms | ${fmt(appends.appendMs / appends.rawAppendMs)}× | |`,
  )
  console.log(
    `| full read after appends ÷ read of the rows written at once | ${fmt(appends.readAfterOverReadOnce)}× | goal ≤ 2× |`,
  )

  console.log('\nStorage')
  console.log(`| W1 stored bytes per row (data + metadata) | ${fmt(w1.bytesPerRow)} | goal ≤ 5.4 |`)
  console.log(
    `| 2-decimal prices, 1 s timestamps, bytes per row | ${fmt(await bytesPerRow(centPrices(quick ? 10_000 : 1_000_000, 5)))} | goal ≤ 1 |`,
  )
  // The floor of W1's walk (start 100, N(0, 1) steps, full float64 precision) is about 5.92
  // bytes per value: log2(σ / ulp) + 2.05 bits. A gentler walk shows the codec near its floor too.
  const walk = (sigma: number) => bytesPerRow(randomWalk(quick ? 10_000 : 1_000_000, 6, sigma))
  console.log(
    `| full-precision random walk 100 + N(0, 1) steps (W1's), bytes per row | ${fmt(await walk(1))} | floor ≈ 5.92 |`,
  )
  console.log(
    `| full-precision random walk 100 + N(0, 0.01) steps, bytes per row | ${fmt(await walk(0.01))} | floor ≈ 5.18 |`,
  )
  const meta = await benchMetadata(quick ? 1000 : 10_000)
  console.log(
    `| metadata written by a 10-row write into ${quick ? '1,000' : '10,000'} series | ${meta.metadataBytes} B in ${meta.objects} objects | goal ≤ 16 KiB |`,
  )

  const child = fileURLToPath(new URL('./memory-peak.ts', import.meta.url))
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=@varve/source',
      '--import',
      'tsx',
      child,
      String(quick ? 1_000_000 : 10_000_000),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  )
  const memory = JSON.parse(out.trim().split('\n').at(-1)!) as {
    rows: number
    rssOverDecoded: number
    heapAndBuffersOverDecoded: number
  }
  console.log(
    `| peak memory reading ${memory.rows.toLocaleString('en')} rows ÷ decoded size | ${fmt(memory.rssOverDecoded)}× (RSS), ${fmt(memory.heapAndBuffersOverDecoded)}× (heap + buffers) | goal ≤ 3× |`,
  )

  const http = await benchHttpRange(root, quick ? 100_000 : 1_000_000, 10_000, quick ? 1 : 5)
  console.log('\nHTTP (a Varve server on a folder; Repo.open over http, no cache)')
  console.log(
    `| ranged read of ${http.readRows.toLocaleString('en')} of ${http.rows.toLocaleString('en')} rows | ${fmt(http.varveMs, 1)} ms vs raw fetch of the same ${http.requests} requests (${http.bytes.toLocaleString('en')} B) ${fmt(http.rawMs, 1)} ms | ${fmt(http.varveMs / http.rawMs)}× | |`,
  )

  if (process.env.BENCH_CLOUDS === '0') {
    console.log('\nClouds: skipped (BENCH_CLOUDS=0).')
  } else {
    const cloudOptions = {
      root,
      series: quick ? 10 : 100,
      rows: quick ? 10_000 : 100_000,
      runs: quick ? 1 : 3,
    }
    const clouds = await benchClouds(cloudOptions)
    printClouds(clouds.results, cloudOptions, clouds.s3Server)
  }
} finally {
  await rm(root, { recursive: true, force: true })
}
