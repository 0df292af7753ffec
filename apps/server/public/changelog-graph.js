// The changelog as an SVG graph: newest revision on top, one lane per line of history, heads
// ringed and labelled, merges drawn as diamonds. Pure DOM, no dependencies.

const ROW = 22
const LANE = 16
const PAD = 12
const SVG = 'http://www.w3.org/2000/svg'
const COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626']

/**
 * Places each revision in a lane, walking from the newest: a revision takes the lane that waits
 * for it (the lane of its first child), or a new one when nothing waits (a head).
 * @param {{id: string, parents: string[]}[]} newestFirst
 */
export function layoutGraph(newestFirst) {
  const lanes = []
  const placed = new Map()
  newestFirst.forEach((revision, row) => {
    let lane = lanes.indexOf(revision.id)
    if (lane < 0) {
      lane = lanes.indexOf(null)
      if (lane < 0) lane = lanes.push(null) - 1
    }
    for (let i = 0; i < lanes.length; i++) if (lanes[i] === revision.id) lanes[i] = null
    lanes[lane] = revision.parents[0] ?? null
    for (const parent of revision.parents.slice(1)) {
      if (lanes.includes(parent)) continue
      const free = lanes.indexOf(null)
      if (free < 0) lanes.push(parent)
      else lanes[free] = parent
    }
    placed.set(revision.id, { row, lane })
  })
  return { placed, width: Math.max(1, lanes.length) }
}

/**
 * Draws the graph into `container`; `onPick(id)` runs when a revision is clicked.
 * @param {HTMLElement} container
 * @param {{revisions: {id: string, parents: string[], time: string}[], heads: string[]}} log
 * @param {string | undefined} selected
 * @param {(id: string) => void} onPick
 */
export function drawGraph(container, log, selected, onPick) {
  const shown = log.revisions.slice(-300).reverse()
  const { placed, width } = layoutGraph(shown)
  const heads = new Set(log.heads)
  const textX = PAD + width * LANE + 8
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('width', String(textX + 440))
  svg.setAttribute('height', String(PAD * 2 + shown.length * ROW))
  svg.setAttribute('role', 'img')
  svg.setAttribute('aria-label', `changelog graph of ${log.revisions.length} revisions`)
  const at = (p) => ({ x: PAD + p.lane * LANE + LANE / 2, y: PAD + p.row * ROW + ROW / 2 })
  const el = (name, attrs, parent = svg) => {
    const node = document.createElementNS(SVG, name)
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
    parent.appendChild(node)
    return node
  }

  for (const revision of shown) {
    const from = at(placed.get(revision.id))
    for (const parent of revision.parents) {
      const target = placed.get(parent)
      const to = target ? at(target) : { x: from.x, y: PAD * 2 + shown.length * ROW }
      const mid = (from.y + to.y) / 2
      el('path', {
        d: `M${from.x},${from.y} C${from.x},${mid} ${to.x},${mid} ${to.x},${to.y}`,
        fill: 'none',
        stroke: COLORS[(target ?? placed.get(revision.id)).lane % COLORS.length],
        'stroke-width': 2,
        class: 'edge',
      })
    }
  }

  for (const revision of shown) {
    const p = placed.get(revision.id)
    const { x, y } = at(p)
    const color = COLORS[p.lane % COLORS.length]
    const group = el('g', { class: 'revision', 'data-id': revision.id, tabindex: 0 })
    group.addEventListener('click', () => onPick(revision.id))
    if (revision.parents.length > 1) {
      el(
        'rect',
        {
          x: x - 6,
          y: y - 6,
          width: 12,
          height: 12,
          fill: color,
          transform: `rotate(45 ${x} ${y})`,
          class: 'merge',
        },
        group,
      )
    } else {
      el('circle', { cx: x, cy: y, r: 5, fill: color }, group)
    }
    if (heads.has(revision.id))
      el(
        'circle',
        { cx: x, cy: y, r: 9, fill: 'none', stroke: color, 'stroke-width': 2, class: 'head' },
        group,
      )
    if (revision.id === selected)
      el('circle', { cx: x, cy: y, r: 12, fill: 'none', stroke: '#111', 'stroke-dasharray': '3 2' }, group)
    const label = el('text', { x: textX, y: y + 4, class: 'label' }, group)
    const time = new Date(revision.time).toISOString().replace('T', ' ').slice(0, 19)
    label.textContent = `${revision.id}  ${time}`
    if (heads.has(revision.id)) {
      const badge = el('text', { x: textX + 340, y: y + 4, class: 'badge' }, group)
      badge.textContent = 'head'
    }
    if (revision.parents.length > 1) {
      const badge = el('text', { x: textX + 380, y: y + 4, class: 'badge merge-badge' }, group)
      badge.textContent = 'merge'
    }
  }
  container.replaceChildren(svg)
  if (log.revisions.length > shown.length) {
    const more = document.createElement('p')
    more.textContent = `… and ${log.revisions.length - shown.length} older revisions`
    container.appendChild(more)
  }
}
