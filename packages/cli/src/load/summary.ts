/** The plain-text summary of a load result: throughput, latency, status codes, thresholds, comparison. */
import { formatBytes, formatMs } from '../units.js'
import type { LoadResult } from './result.js'

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`
}

function signed(fraction: number): string {
  if (Math.abs(fraction) >= 1e8) return 'new'
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`
}

export function formatSummary(r: LoadResult): string {
  const lines: string[] = []
  lines.push(
    `${r.name ? `${r.name}: ` : ''}${r.target}  ${r.durationSeconds.toFixed(1)}s, ${r.options.connections} connections`,
  )
  lines.push('')
  lines.push(
    table([
      ['requests', 'req/s', 'ok', 'failed', 'error rate', 'timeouts', 'bytes', 'bytes/s'],
      [
        String(r.requests.total),
        r.requests.perSecond.toFixed(1),
        String(r.requests.ok),
        String(r.requests.failed),
        pct(r.errorRate),
        String(r.requests.timeouts),
        formatBytes(r.bytes.total),
        formatBytes(r.bytes.perSecond),
      ],
    ]),
  )
  lines.push('')
  const l = r.latencyMs
  lines.push(
    table([
      ['latency', 'min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
      ['', ...[l.min, l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max].map(formatMs)],
    ]),
  )
  lines.push('')
  if (r.byRequest.length > 1) {
    lines.push(
      table([
        ['request', 'requests', 'failed', 'p50', 'p90', 'p99', 'max'],
        ...r.byRequest.map((b) => [
          b.name,
          String(b.requests),
          String(b.failed),
          ...[b.latencyMs.p50, b.latencyMs.p90, b.latencyMs.p99, b.latencyMs.max].map(formatMs),
        ]),
      ]),
    )
    lines.push('')
  }
  const codes = Object.entries(r.statusCodes).sort(([a], [b]) => a.localeCompare(b))
  lines.push(`status codes: ${codes.length ? codes.map(([c, n]) => `${c}=${n}`).join(' ') : 'none'}`)
  const kinds = Object.entries(r.errorKinds)
  if (kinds.length) lines.push(`transport errors: ${kinds.map(([k, n]) => `${k}=${n}`).join(' ')}`)
  if (r.ops) {
    const s = r.ops.samples
    const max = (f: (x: (typeof s)[number]) => number | undefined) => {
      const values = s.map(f).filter((v): v is number => v !== undefined)
      return values.length ? Math.max(...values) : undefined
    }
    const cpu = max((x) => x.cpuCores)
    const mem = max((x) => x.memoryBytes)
    const eld = max((x) => x.eventLoopP99Ms)
    lines.push(
      `target resources (${r.ops.source}, ${s.length} samples): cpu max ${cpu === undefined ? 'n/a' : `${(cpu * 100).toFixed(0)}%`}, memory max ${mem === undefined ? 'n/a' : formatBytes(mem)}, event-loop p99 max ${eld === undefined ? 'n/a' : formatMs(eld)}`,
    )
  }
  if (r.thresholds.length) {
    lines.push('')
    for (const t of r.thresholds) {
      const actual =
        t.metric === 'errors' && t.expression.endsWith('%')
          ? pct(t.actual)
          : t.metric in { rps: 1, requests: 1, errors: 1 }
            ? t.actual.toFixed(1)
            : formatMs(t.actual)
      lines.push(`${t.pass ? 'ok  ' : 'FAIL'} ${t.expression}  (actual ${actual})`)
    }
  }
  if (r.comparison) {
    lines.push('')
    lines.push(
      `compared with ${r.comparison.baseline}${r.comparison.maxRegression !== undefined ? ` (max regression ${pct(r.comparison.maxRegression)})` : ''}`,
    )
    const rows = [['figure', 'baseline', 'current', 'change', '']]
    for (const f of r.comparison.figures) {
      const fmt = (v: number) =>
        f.figure === 'rps' ? v.toFixed(1) : f.figure === 'errorRate' ? pct(v) : formatMs(v)
      const change =
        f.figure === 'errorRate'
          ? `${f.change >= 0 ? '+' : ''}${(f.change * 100).toFixed(2)}pp`
          : signed(f.change)
      rows.push([f.figure, fmt(f.baseline), fmt(f.current), change, f.regression ? 'REGRESSION' : ''])
    }
    lines.push(table(rows))
  }
  lines.push('')
  lines.push(r.pass ? 'result: pass' : 'result: FAIL')
  return lines.join('\n')
}
