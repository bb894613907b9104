/**
 * Serialises OpenTelemetry metrics to the Prometheus text format (0.0.4) following the
 * OpenTelemetry→Prometheus compatibility rules: names with dots as underscores plus the unit
 * suffix (`_seconds`, `_bytes`, `_ratio` for gauges of unit 1) and `_total` on monotonic sums;
 * units in braces dropped. These are the names the collector's Prometheus exporters and
 * Prometheus's OTLP receiver produce, so one dashboard works on the pull and the push path.
 * Every series carries `service_name` (and `service_namespace`, `deployment_environment` when
 * set); all resource attributes are in `target_info`.
 */
import type { Attributes } from '@opentelemetry/api'
import {
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'

const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  bit: 'bits',
  Hz: 'hertz',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  Cel: 'celsius',
  '%': 'percent',
}

const PER_WORDS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', min: 'minute' }

function unitSuffix(unit: string, isGauge: boolean): string {
  const u = unit.replace(/\{[^}]*\}/g, '').trim()
  if (u === '') return ''
  if (u === '1') return isGauge ? 'ratio' : ''
  const [num, per] = u.split('/', 2) as [string, string | undefined]
  const head = num && num !== '1' ? (UNIT_WORDS[num] ?? sanitizeName(num)) : ''
  if (per === undefined) return head
  const tail = PER_WORDS[per] ?? UNIT_WORDS[per] ?? sanitizeName(per)
  return head ? `${head}_per_${tail}` : `per_${tail}`
}

export function sanitizeName(name: string): string {
  let s = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_{2,}/g, '_')
  if (/^[0-9]/.test(s)) s = `_${s}`
  return s
}

export function sanitizeLabel(name: string): string {
  let s = name.replace(/[^a-zA-Z0-9_]/g, '_')
  if (/^[0-9]/.test(s)) s = `key_${s}`
  return s
}

/** The Prometheus metric name for an OpenTelemetry metric. */
export function prometheusName(data: MetricData): string {
  const isGauge =
    data.dataPointType === DataPointType.GAUGE ||
    (data.dataPointType === DataPointType.SUM && !data.isMonotonic)
  let name = sanitizeName(data.descriptor.name)
  const suffix = unitSuffix(data.descriptor.unit, isGauge)
  if (suffix && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`
  if (data.dataPointType === DataPointType.SUM && data.isMonotonic && !name.endsWith('_total')) {
    name = `${name}_total`
  }
  return name
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return '+Inf'
  if (n === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(n)
}

function labelString(attributes: Attributes, constant: string, extra?: string): string {
  let out = constant
  for (const key in attributes) {
    const value = attributes[key]
    if (value === undefined || value === null) continue
    const text = Array.isArray(value) ? JSON.stringify(value) : String(value)
    out += `${out ? ',' : ''}${sanitizeLabel(key)}="${escapeLabelValue(text)}"`
  }
  if (extra) out += `${out ? ',' : ''}${extra}`
  return out ? `{${out}}` : ''
}

interface Family {
  type: 'counter' | 'gauge' | 'histogram'
  help: string
  lines: string[]
  seen: Set<string>
}

/** Resource attributes that become labels on every series. */
const CONSTANT_LABELS: ReadonlyArray<[string, string[]]> = [
  ['service_name', ['service.name']],
  ['service_namespace', ['service.namespace']],
  ['deployment_environment', ['deployment.environment.name', 'deployment.environment']],
]

function constantLabels(resource: Attributes): string {
  const parts: string[] = []
  for (const [label, keys] of CONSTANT_LABELS) {
    for (const key of keys) {
      const value = resource[key]
      if (typeof value === 'string' && value !== '') {
        parts.push(`${label}="${escapeLabelValue(value)}"`)
        break
      }
    }
  }
  return parts.join(',')
}

export interface SerializeResult {
  text: string
  /** Series dropped because another scope already produced the same name and labels. */
  duplicates: number
}

export function serializePrometheus(resourceMetrics: ResourceMetrics): SerializeResult {
  const resource = resourceMetrics.resource.attributes
  const constant = constantLabels(resource)
  const families = new Map<string, Family>()
  let duplicates = 0

  const family = (name: string, type: Family['type'], help: string): Family => {
    let f = families.get(name)
    if (!f) {
      f = { type, help, lines: [], seen: new Set() }
      families.set(name, f)
    }
    return f
  }
  const push = (f: Family, series: string, value: number) => {
    if (f.seen.has(series)) {
      duplicates++
      return false
    }
    f.seen.add(series)
    f.lines.push(`${series} ${formatValue(value)}`)
    return true
  }

  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = prometheusName(metric)
      const help = metric.descriptor.description
      switch (metric.dataPointType) {
        case DataPointType.SUM:
        case DataPointType.GAUGE: {
          const type = metric.dataPointType === DataPointType.SUM && metric.isMonotonic ? 'counter' : 'gauge'
          const f = family(name, type, help)
          for (const point of metric.dataPoints) {
            push(f, `${name}${labelString(point.attributes, constant)}`, point.value as number)
          }
          break
        }
        case DataPointType.HISTOGRAM: {
          const f = family(name, 'histogram', help)
          for (const point of metric.dataPoints) {
            const value = point.value as Histogram
            const base = labelString(point.attributes, constant)
            if (f.seen.has(base)) {
              duplicates++
              continue
            }
            f.seen.add(base)
            let cumulative = 0
            const { boundaries, counts } = value.buckets
            for (let i = 0; i < counts.length; i++) {
              cumulative += counts[i] as number
              const le = i < boundaries.length ? formatValue(boundaries[i] as number) : '+Inf'
              f.lines.push(
                `${name}_bucket${labelString(point.attributes, constant, `le="${le}"`)} ${cumulative}`,
              )
            }
            f.lines.push(`${name}_sum${base} ${formatValue(value.sum ?? 0)}`)
            f.lines.push(`${name}_count${base} ${value.count}`)
          }
          break
        }
        default:
          // Exponential histograms are not configured by otelkit; nothing to write.
          break
      }
    }
  }

  const out: string[] = []
  const info = family('target_info', 'gauge', 'Target metadata')
  push(info, `target_info${labelString(resource, '')}`, 1)
  for (const [name, f] of families) {
    if (f.lines.length === 0) continue
    out.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`)
    out.push(`# TYPE ${name} ${f.type}`)
    for (const line of f.lines) out.push(line)
  }
  return { text: `${out.join('\n')}\n`, duplicates }
}
