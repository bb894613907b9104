/**
 * Thresholds in k6's spirit: `p99<250ms`, `p95<1s`, `errors<1%`, `rps>500`. A metric, an
 * operator (`<`, `<=`, `>`, `>=`) and a value with an optional unit.
 */
import { usageError } from '../errors.js'
import type { LoadResult } from './result.js'

type Op = '<' | '<=' | '>' | '>='

export interface Threshold {
  expression: string
  metric: string
  op: Op
  /** Milliseconds for latencies, a fraction for `errors` with `%`, a count or req/s otherwise. */
  value: number
}

const LATENCY: Record<string, (r: LoadResult) => number> = {
  min: (r) => r.latencyMs.min,
  mean: (r) => r.latencyMs.mean,
  avg: (r) => r.latencyMs.mean,
  p50: (r) => r.latencyMs.p50,
  med: (r) => r.latencyMs.p50,
  p90: (r) => r.latencyMs.p90,
  p95: (r) => r.latencyMs.p95,
  p99: (r) => r.latencyMs.p99,
  'p99.9': (r) => r.latencyMs.p999,
  p999: (r) => r.latencyMs.p999,
  max: (r) => r.latencyMs.max,
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 }

const EXPRESSION = /^\s*([a-z][a-z0-9.]*)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|us|%)?\s*$/i

/** Metric names a threshold may use. */
export const THRESHOLD_METRICS = [...Object.keys(LATENCY), 'errors', 'rps', 'requests']

export function parseThreshold(expression: string): Threshold {
  const match = EXPRESSION.exec(expression)
  if (!match) {
    throw usageError(
      `threshold ${JSON.stringify(expression)} is not of the form <metric><op><value>, e.g. p99<250ms, errors<1%, rps>500`,
    )
  }
  const metric = match[1]!.toLowerCase()
  const op = match[2] as Op
  const number = Number(match[3])
  const unit = match[4]?.toLowerCase()
  if (metric in LATENCY) {
    if (unit === '%')
      throw usageError(`threshold ${JSON.stringify(expression)}: a latency takes ms, s or us, not %`)
    return { expression, metric, op, value: number * UNIT_MS[unit ?? 'ms']! }
  }
  if (metric === 'errors') return { expression, metric, op, value: unit === '%' ? number / 100 : number }
  if (metric === 'rps' || metric === 'requests') {
    if (unit) throw usageError(`threshold ${JSON.stringify(expression)}: ${metric} takes a plain number`)
    return { expression, metric, op, value: number }
  }
  throw usageError(
    `threshold ${JSON.stringify(expression)}: unknown metric ${metric}; use one of ${THRESHOLD_METRICS.join(', ')}`,
  )
}

function actualOf(t: Threshold, r: LoadResult, percent: boolean): number {
  const latency = LATENCY[t.metric]
  if (latency) return latency(r)
  if (t.metric === 'errors') return percent ? r.errorRate : r.requests.failed
  if (t.metric === 'rps') return r.requests.perSecond
  return r.requests.total
}

function compare(actual: number, op: Op, value: number): boolean {
  if (op === '<') return actual < value
  if (op === '<=') return actual <= value
  if (op === '>') return actual > value
  return actual >= value
}

export function evaluateThresholds(thresholds: Threshold[], result: LoadResult): LoadResult['thresholds'] {
  return thresholds.map((t) => {
    const percent = t.metric === 'errors' && t.expression.trim().endsWith('%')
    const actual = actualOf(t, result, percent)
    return { expression: t.expression.trim(), metric: t.metric, actual, pass: compare(actual, t.op, t.value) }
  })
}
