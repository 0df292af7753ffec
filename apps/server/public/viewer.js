// The viewer: collections, series with sizes, a uPlot chart of server-downsampled points, the
// changelog graph, a time-travel control and the datasets. Plain modules; uPlot is a global.
import { drawGraph } from './changelog-graph.js'

const $ = (id) => document.getElementById(id)
const state = { collection: undefined, label: undefined, log: undefined, at: undefined, plot: undefined }

async function api(path) {
  const response = await fetch(path)
  const body = await response.json()
  if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`)
  return body
}

function status(text) {
  $('status').textContent = text
}

const enc = encodeURIComponent
const fmtInt = (n) => n.toLocaleString('en-US')
function fmtBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

function pickList(list, items, render, onPick, selected) {
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li')
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = render(item)
      if (selected(item)) button.classList.add('selected')
      button.addEventListener('click', () => onPick(item))
      li.appendChild(button)
      return li
    }),
  )
}

async function loadCollections() {
  const { collections } = await api('/api/collections')
  pickList(
    $('collections'),
    collections,
    (c) =>
      `${c.name} · ${fmtInt(c.series)} series · ${fmtInt(c.rows)} rows${c.heads > 1 ? ` · ${c.heads} heads` : ''}`,
    (c) => selectCollection(c.name),
    (c) => c.name === state.collection,
  )
  return collections
}

async function loadDatasets() {
  const { datasets } = await api('/api/datasets')
  const list = $('datasets')
  if (datasets.length === 0) {
    list.innerHTML = '<li class="muted">none published</li>'
    return
  }
  pickList(
    list,
    datasets,
    (d) =>
      `${d.name} → ${d.collection}${d.series ? ` [${d.series.join(', ')}]` : ''}${d.revision ? ` @${d.revision.slice(0, 12)}` : ''}`,
    async (d) => {
      await selectCollection(d.collection, d.revision)
      if (d.series?.[0]) await selectSeries(d.series[0])
    },
    () => false,
  )
}

async function selectCollection(name, at) {
  state.collection = name
  state.at = at
  status(`loading ${name}…`)
  const [info, log] = await Promise.all([
    api(`/api/collections/${enc(name)}`),
    api(`/api/collections/${enc(name)}/log`),
  ])
  state.log = log
  await loadCollections()
  const body = $('series').querySelector('tbody')
  body.replaceChildren(
    ...info.series.map((s) => {
      const tr = document.createElement('tr')
      tr.dataset.label = s.label
      tr.innerHTML = '<td></td><td class="num"></td><td class="num"></td>'
      tr.children[0].textContent = s.label
      tr.children[1].textContent = fmtInt(s.rows)
      tr.children[2].textContent = fmtBytes(s.bytes)
      tr.addEventListener('click', () => selectSeries(s.label))
      return tr
    }),
  )
  const range = $('travel-range')
  range.max = String(Math.max(0, log.revisions.length - 1))
  const index = at === undefined ? -1 : log.revisions.findIndex((r) => r.id === at)
  range.value = String(index < 0 ? log.revisions.length - 1 : index)
  drawLog()
  const first = info.series[0]?.label
  if (first === undefined) clearChart()
  else if (!info.series.some((s) => s.label === state.label)) await selectSeries(first)
  else await drawChart()
  status(
    `${name}: ${info.series.length} series, ${log.revisions.length} revisions, ${log.heads.length} head(s)`,
  )
}

async function selectSeries(label) {
  state.label = label
  for (const tr of $('series').querySelectorAll('tr[data-label]'))
    tr.classList.toggle('selected', tr.dataset.label === label)
  await drawChart()
}

function drawLog() {
  drawGraph($('graph'), state.log, state.at, (id) => travelTo(id))
  const revision = state.log.revisions.find((r) => r.id === state.at)
  $('travel-label').textContent = revision ? `${revision.id} (${revision.time})` : 'latest'
}

async function travelTo(id) {
  const latest = state.log.revisions.at(-1)?.id
  state.at = id === latest && state.log.heads.length === 1 ? undefined : id
  const index = state.log.revisions.findIndex((r) => r.id === id)
  $('travel-range').value = String(index < 0 ? state.log.revisions.length - 1 : index)
  drawLog()
  await drawChart()
}

function clearChart() {
  state.label = undefined
  state.plot?.destroy()
  state.plot = undefined
  $('chart-title').textContent = 'This collection holds no series yet'
}

async function drawChart() {
  const panel = $('chart')
  const width = Math.max(300, Math.floor(panel.clientWidth || 800))
  const query = new URLSearchParams({ label: state.label, width: String(width) })
  if (state.at) query.set('at', state.at)
  const started = performance.now()
  const data = await api(`/api/collections/${enc(state.collection)}/chart?${query}`)
  const ms = Math.round(performance.now() - started)
  $('chart-title').textContent =
    `${state.label} — ${data.column}: ${fmtInt(data.rows)} rows, ${fmtInt(data.x.length)} points drawn (${ms} ms)${state.at ? ` as of ${state.at.slice(0, 20)}` : ''}`
  const options = {
    width,
    height: 320,
    scales: { x: { time: data.time } },
    series: [{}, { label: data.column, stroke: '#2563eb', width: 1 }],
    legend: { show: true },
  }
  state.plot?.destroy()
  state.plot = new uPlot(options, [data.x, data.y], panel)
  panel.dataset.points = String(data.x.length)
  panel.dataset.rows = String(data.rows)
  document.body.dataset.ready = 'true'
}

$('travel-range').addEventListener('input', (event) => {
  const revision = state.log?.revisions[Number(event.target.value)]
  if (revision) travelTo(revision.id).catch(fail)
})
$('travel-latest').addEventListener('click', () => {
  const latest = state.log?.revisions.at(-1)
  if (latest) travelTo(latest.id).catch(fail)
})

function fail(error) {
  status(`error: ${error.message}`)
  document.body.dataset.error = error.message
}

async function start() {
  const [collections] = await Promise.all([loadCollections(), loadDatasets()])
  if (collections[0]) await selectCollection(collections[0].name)
  else status('this repository holds no collections yet')
}

start().catch(fail)
