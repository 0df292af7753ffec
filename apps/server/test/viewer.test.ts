import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Repo } from '@varve/core'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/index.ts'

// Debian's chromium package (.ci/run installs it); a missing browser fails this test, never skips it.
const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOTS = join(import.meta.dirname, '.screenshots')
const ROWS = 1_000_000

let root: string
let server: RunningServer
let browser: BrowserContext
let page: Page

/** A million-point series written in two commits, then two writers diverge and a merge joins them. */
async function makeRepo(dir: string): Promise<Repo> {
  const repo = await Repo.open(dir)
  const sensors = await repo.createCollection('sensors', { timestamp: 'timestamp*', value: 'float64' })
  const start = Date.UTC(2025, 0, 1)
  const chunk = (from: number, to: number) => {
    const timestamp = new BigInt64Array(to - from)
    const value = new Float64Array(to - from)
    for (let i = from; i < to; i++) {
      timestamp[i - from] = BigInt(start + i * 1000)
      value[i - from] = Math.sin(i / 20_000) * 50 + Math.sin(i / 700) * 8 + (i % 9973 === 0 ? 40 : 0)
    }
    return { timestamp, value }
  }
  await sensors.series('turbine').write(chunk(0, ROWS / 2))
  await sensors.series('turbine').write(chunk(ROWS / 2, ROWS))
  // A second writer works on a copy; pulling its revision back leaves two heads to merge.
  const other = await Repo.clone(dir, `${dir}-other`)
  const small = (v: number) => ({ timestamp: [new Date(start)], value: [v] })
  await sensors.series('pump').write(small(1))
  await (await other.collection('sensors'))!.series('valve').write(small(2))
  await repo.pull(other)
  await sensors.merge()
  await sensors.series('pump').write(small(3))
  await repo.datasets.publish('turbine-live', { collection: 'sensors', series: ['turbine'] })
  await repo.createCollection('zz-empty', { timestamp: 'timestamp*', value: 'float64' })
  return repo
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'varve-viewer-'))
  const repo = await makeRepo(join(root, 'repo'))
  server = await startServer({ repo, port: 0, log: false })
  // A fresh profile per run: Playwright takes the --user-data-dir as this argument.
  browser = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  page = browser.pages()[0] ?? (await browser.newPage())
  await mkdir(SCREENSHOTS, { recursive: true })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

// Generous per-test time: CI runs every suite at once on two cores.
describe('the web viewer in headless Chromium', { timeout: 60_000 }, () => {
  it('shows collections, series sizes, a downsampled chart of 1,000,000 rows and the changelog graph', async () => {
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(server.url)
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 })
    expect(errors).toEqual([])

    expect(await page.locator('#collections button').allTextContents()).toEqual([
      'sensors · 3 series · 1,000,002 rows',
      'zz-empty · 0 series · 0 rows',
    ])
    expect(await page.locator('#datasets button').allTextContents()).toEqual([
      'turbine-live → sensors [turbine]',
    ])
    const rows = await page
      .locator('#series tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)))
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ['pump', '1'],
      ['turbine', '1,000,000'],
      ['valve', '1'],
    ])
    await page.locator('#series tbody tr[data-label="turbine"]').click()
    await page.locator('#chart[data-rows="1000000"]').waitFor()
    const points = Number(await page.locator('#chart').getAttribute('data-points'))
    expect(points).toBeGreaterThan(500)
    expect(points).toBeLessThanOrEqual(4 * 1400)
    expect(await page.locator('#chart canvas').count()).toBe(1)

    // 6 revisions: two writes, two diverging ones, their merge, and one after it.
    expect(await page.locator('#graph g.revision').count()).toBe(6)
    expect(await page.locator('#graph .merge').count()).toBe(1)
    expect(await page.locator('#graph circle.head').count()).toBe(1)
    expect(await page.locator('#graph path.edge').count()).toBe(6)
    await page.screenshot({ path: join(SCREENSHOTS, 'viewer.png'), fullPage: true })
  })

  it('time travel re-reads the chart as of an earlier revision', async () => {
    const oldest = page.locator('#graph g.revision').last()
    await oldest.click()
    await page.locator('#chart[data-rows="500000"]').waitFor()
    expect(await page.locator('#chart-title').textContent()).toContain('as of')
    expect(await page.locator('#travel-range').inputValue()).toBe('0')
    await page.screenshot({ path: join(SCREENSHOTS, 'viewer-time-travel.png'), fullPage: true })
    await page.locator('#travel-latest').click()
    await page.locator('#chart[data-rows="1000000"]').waitFor()
  })

  it('an empty collection shows no chart and no revisions, and the viewer goes on working', async () => {
    await page.locator('#collections button', { hasText: 'zz-empty' }).click()
    await page.locator('#chart-title', { hasText: 'holds no series yet' }).waitFor()
    expect(await page.locator('#chart canvas').count()).toBe(0)
    expect(await page.locator('#graph g.revision').count()).toBe(0)
    await page.locator('#collections button', { hasText: 'sensors' }).click()
    await page.locator('#chart canvas').waitFor()
    expect(await page.locator('body').getAttribute('data-error')).toBeNull()
  })
})
