/**
 * Inline SVG charts for the HTML report: line charts over time and a bar chart, drawn here so
 * the report needs no script and no network to open.
 */

export interface Series {
  name: string
  color: string
  points: Array<[number, number]>
}

const W = 720
const H = 260
const M = { top: 20, right: 16, bottom: 36, left: 64 }

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function niceMax(value: number): number {
  if (value <= 0 || !Number.isFinite(value)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power
  return 10 * power
}

function fmt(value: number): string {
  if (value === 0) return '0'
  if (Math.abs(value) >= 100) return value.toFixed(0)
  if (Math.abs(value) >= 1) return Number(value.toFixed(1)).toString()
  return Number(value.toPrecision(2)).toString()
}

function axes(xMax: number, yMax: number, xLabel: string, yLabel: string): string {
  const plotW = W - M.left - M.right
  const plotH = H - M.top - M.bottom
  const parts: string[] = []
  for (let i = 0; i <= 4; i++) {
    const y = M.top + plotH - (plotH * i) / 4
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`)
    parts.push(
      `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#4b5563">${fmt((yMax * i) / 4)}</text>`,
    )
  }
  for (let i = 0; i <= 5; i++) {
    const x = M.left + (plotW * i) / 5
    parts.push(
      `<text x="${x}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#4b5563">${fmt((xMax * i) / 5)}</text>`,
    )
  }
  parts.push(
    `<text x="${M.left + plotW / 2}" y="${H - 4}" text-anchor="middle" font-size="11" fill="#374151">${escapeHtml(xLabel)}</text>`,
  )
  parts.push(
    `<text transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#374151">${escapeHtml(yLabel)}</text>`,
  )
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`,
  )
  return parts.join('')
}

function legend(series: Series[]): string {
  return series
    .map(
      (s, i) =>
        `<g transform="translate(${M.left + 8 + i * 110} ${M.top + 4})"><rect width="10" height="10" fill="${s.color}"/><text x="14" y="9" font-size="11" fill="#111827">${escapeHtml(s.name)}</text></g>`,
    )
    .join('')
}

/** A line chart; each series is one `<path class="series" data-series=… data-points=…>`. */
export function lineChart(id: string, series: Series[], xLabel: string, yLabel: string): string {
  const xMax = niceMax(Math.max(1, ...series.flatMap((s) => s.points.map(([x]) => x))))
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map(([, y]) => y))))
  const plotW = W - M.left - M.right
  const plotH = H - M.top - M.bottom
  const sx = (x: number) => (M.left + (x / xMax) * plotW).toFixed(1)
  const sy = (y: number) => (M.top + plotH - (y / yMax) * plotH).toFixed(1)
  const paths = series
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x)},${sy(y)}`).join(' ')
      return `<path class="series" data-series="${escapeHtml(s.name)}" data-points="${s.points.length}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`
    })
    .join('')
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg" role="img">${axes(xMax, yMax, xLabel, yLabel)}${paths}${legend(series)}</svg>`
}

/** A bar chart of labelled counts; each bar is a `<rect class="bar" data-count=…>`. */
export function barChart(
  id: string,
  bars: Array<{ label: string; value: number }>,
  xLabel: string,
  yLabel: string,
): string {
  const plotW = W - M.left - M.right
  const plotH = H - M.top - M.bottom
  const yMax = niceMax(Math.max(0, ...bars.map((b) => b.value)))
  const width = plotW / Math.max(1, bars.length)
  const rects = bars
    .map((b, i) => {
      const h = (b.value / yMax) * plotH
      const x = M.left + i * width
      const label =
        bars.length <= 16 || i % Math.ceil(bars.length / 12) === 0
          ? `<text x="${(x + width / 2).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="10" fill="#4b5563">${escapeHtml(b.label)}</text>`
          : ''
      return `<rect class="bar" data-count="${b.value}" x="${(x + 1).toFixed(1)}" y="${(M.top + plotH - h).toFixed(1)}" width="${Math.max(1, width - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#6366f1"><title>${escapeHtml(b.label)}: ${b.value}</title></rect>${label}`
    })
    .join('')
  const grid: string[] = []
  for (let i = 0; i <= 4; i++) {
    const y = M.top + plotH - (plotH * i) / 4
    grid.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`)
    grid.push(
      `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#4b5563">${fmt((yMax * i) / 4)}</text>`,
    )
  }
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg" role="img">${grid.join('')}${rects}<text x="${M.left + plotW / 2}" y="${H - 4}" text-anchor="middle" font-size="11" fill="#374151">${escapeHtml(xLabel)}</text><text transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#374151">${escapeHtml(yLabel)}</text></svg>`
}
