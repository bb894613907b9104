/**
 * The self-contained HTML report of a load result: headline figures, thresholds, comparison,
 * latency and throughput over time, the latency histogram and, with `--ops`, the target's CPU,
 * memory and event-loop delay. Inline SVG and CSS only: it opens offline.
 */

import type { LoadResult } from '../load/result.js'
import { formatBytes, formatMs } from '../units.js'
import { barChart, escapeHtml, lineChart, type Series } from './svg.js'

function row(cells: string[], header = false): string {
  const tag = header ? 'th' : 'td'
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`
}

function opsCharts(r: LoadResult): string {
  if (!r.ops || r.ops.samples.length === 0) return ''
  const s = r.ops.samples
  const pick = (f: (x: (typeof s)[number]) => number | undefined, scale = 1): Array<[number, number]> =>
    s.flatMap((x) => {
      const v = f(x)
      return v === undefined ? [] : [[x.t, v * scale] as [number, number]]
    })
  const charts: string[] = []
  const cpu = pick((x) => x.cpuCores, 100)
  if (cpu.length)
    charts.push(
      `<h3>Target CPU</h3>${lineChart('chart-ops-cpu', [{ name: 'cpu %', color: '#dc2626', points: cpu }], 'seconds', '% of one core')}`,
    )
  const mem = pick((x) => x.memoryBytes, 1 / 1048576)
  if (mem.length)
    charts.push(
      `<h3>Target memory</h3>${lineChart('chart-ops-memory', [{ name: 'memory MiB', color: '#2563eb', points: mem }], 'seconds', 'MiB')}`,
    )
  const eld = pick((x) => x.eventLoopP99Ms)
  if (eld.length)
    charts.push(
      `<h3>Target event-loop delay p99</h3>${lineChart('chart-ops-eventloop', [{ name: 'p99 ms', color: '#d97706', points: eld }], 'seconds', 'ms')}`,
    )
  const found = Object.entries(r.ops.metrics).map(([k, v]) => `${k}: <code>${escapeHtml(String(v))}</code>`)
  return `<section id="ops"><h2>Target resources</h2><p>From ${escapeHtml(r.ops.source)}/metrics, ${s.length} samples${found.length ? `; ${found.join(', ')}` : ''}${r.ops.failedScrapes ? `; ${r.ops.failedScrapes} failed scrapes` : ''}.</p>${charts.join('') || '<p>No CPU, memory or event-loop metrics found.</p>'}</section>`
}

function byRequestTable(r: LoadResult): string {
  if (r.byRequest.length <= 1) return ''
  const rows = r.byRequest.map((b) =>
    row([
      escapeHtml(b.name),
      String(b.requests),
      String(b.failed),
      ...[b.latencyMs.p50, b.latencyMs.p90, b.latencyMs.p99, b.latencyMs.max].map(formatMs),
    ]),
  )
  return `<table id="by-request" style="margin-top:8px">${row(['request', 'requests', 'failed', 'p50', 'p90', 'p99', 'max'], true)}${rows.join('')}</table>`
}

export function renderHtmlReport(r: LoadResult): string {
  const t = r.timeline
  const latencySeries: Series[] = [
    { name: 'p50', color: '#10b981', points: t.filter((p) => p.requests > 0).map((p) => [p.t + 1, p.p50]) },
    { name: 'p90', color: '#f59e0b', points: t.filter((p) => p.requests > 0).map((p) => [p.t + 1, p.p90]) },
    { name: 'p99', color: '#ef4444', points: t.filter((p) => p.requests > 0).map((p) => [p.t + 1, p.p99]) },
  ]
  const throughputSeries: Series[] = [
    { name: 'req/s', color: '#2563eb', points: t.map((p) => [p.t + 1, p.requests]) },
    { name: 'failed/s', color: '#dc2626', points: t.map((p) => [p.t + 1, p.failed]) },
  ]
  const bars = r.histogram.map((b) => ({
    label: b.leMs === null ? '+Inf' : `${formatMs(b.leMs)}`,
    value: b.count,
  }))
  const l = r.latencyMs
  const thresholds = r.thresholds.length
    ? `<section id="thresholds"><h2>Thresholds</h2><table>${row(['threshold', 'actual', 'result'], true)}${r.thresholds
        .map((x) =>
          row([
            escapeHtml(x.expression),
            x.actual.toFixed(3),
            x.pass ? '<span class="ok">pass</span>' : '<span class="fail">FAIL</span>',
          ]),
        )
        .join('')}</table></section>`
    : ''
  const comparison = r.comparison
    ? `<section id="comparison"><h2>Compared with ${escapeHtml(r.comparison.baseline)}</h2><table>${row(['figure', 'baseline', 'current', 'change', ''], true)}${r.comparison.figures
        .map((f) =>
          row([
            f.figure,
            f.baseline.toFixed(3),
            f.current.toFixed(3),
            `${(f.change * 100).toFixed(1)}%`,
            f.regression ? '<span class="fail">regression</span>' : '',
          ]),
        )
        .join('')}</table></section>`
    : ''
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${escapeHtml(c)}: ${n}`)
    .join(', ')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>otelkit load report: ${escapeHtml(r.name ?? r.target)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1520px;color:#111827;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}h3{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #e5e7eb;padding:4px 10px;text-align:right}th{background:#f9fafb}
.charts{display:flex;flex-wrap:wrap;gap:16px}.ok{color:#047857;font-weight:600}.fail{color:#b91c1c;font-weight:600}
.verdict{font-size:18px;font-weight:700}code{font-size:12px}
</style></head><body>
<h1>otelkit load report: ${escapeHtml(r.name ?? r.target)}</h1>
<p>${escapeHtml(r.target)} · started ${escapeHtml(r.startedAt)} · ${r.durationSeconds.toFixed(1)} s · ${r.options.connections} connections${r.options.rate ? ` · target ${r.options.rate} req/s` : ''}</p>
<p class="verdict ${r.pass ? 'ok' : 'fail'}" id="verdict">${r.pass ? 'PASS' : 'FAIL'}</p>
<section id="summary"><h2>Summary</h2><table>
${row(['requests', 'req/s', 'ok', 'failed', 'error rate', 'timeouts', 'bytes', 'bytes/s'], true)}
${row([String(r.requests.total), r.requests.perSecond.toFixed(1), String(r.requests.ok), String(r.requests.failed), `${(r.errorRate * 100).toFixed(2)}%`, String(r.requests.timeouts), formatBytes(r.bytes.total), formatBytes(r.bytes.perSecond)])}
</table><table style="margin-top:8px">
${row(['latency', 'min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'], true)}
${row(['', ...[l.min, l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max].map(formatMs)])}
</table>${byRequestTable(r)}<p>Status codes: ${codes || 'none'}</p></section>
${thresholds}${comparison}
<section id="charts"><h2>Charts</h2><div class="charts">
<div><h3>Latency over time</h3>${lineChart('chart-latency', latencySeries, 'seconds', 'ms')}</div>
<div><h3>Throughput over time</h3>${lineChart('chart-throughput', throughputSeries, 'seconds', 'requests per second')}</div>
<div><h3>Latency histogram</h3>${barChart('chart-histogram', bars, 'latency (upper bound)', 'responses')}</div>
</div></section>
${opsCharts(r)}
<script type="application/json" id="result-data">${JSON.stringify(r).replace(/</g, '\\u003c')}</script>
</body></html>
`
}
