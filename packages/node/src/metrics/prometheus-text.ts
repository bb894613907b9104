/**
 * Serialises OpenTelemetry metrics to the Prometheus text format (0.0.4) following the
 * OpenTelemetry→Prometheus compatibility rules: names with dots as underscores plus the unit
 * suffix (`_seconds`, `_bytes`, `_ratio` for gauges of unit 1) and `_total` on monotonic sums;
 * units in braces dropped. These are the names the collector's Prometheus exporters and
 * Prometheus's OTLP receiver produce, so one dashboard works on the pull and the push path.
 * Every series carries `service_name` (and `service_namespace`, `deployment_environment` when
 * set); all resource attributes are in `target_info`.
 *
 * The same writer produces OpenMetrics 1.0 text (`format: 'openmetrics'`) for scrapers that ask
 * for it: counter families named without `_total` (samples keep it), `# UNIT` where the name ends
 * in its unit, `_created` (the series' start time) on counters and histograms of synchronous
 * instruments, `le` values as canonical numbers, the last sampled trace of each latency bucket as
 * an exemplar, `target_info` as an info family, and `# EOF`.
 */
import { performance } from 'node:perf_hooks'
import type { Attributes, HrTime } from '@opentelemetry/api'
import {
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import type { BucketExemplars, HistogramWithExemplars } from './fast-instruments.js'

/** The exposition formats otelkit writes. */
export type ExpositionFormat = 'prometheus' | 'openmetrics'

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

/** Attribute keys are few and repeat on every series: their label names are kept. */
const labelNames = new Map<string, string>()

function labelName(key: string): string {
  let name = labelNames.get(key)
  if (name === undefined) {
    name = sanitizeLabel(key)
    if (labelNames.size < 1024) labelNames.set(key, name)
  }
  return name
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

const NEEDS_ESCAPE = /[\\\n"]/

function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return '+Inf'
  if (n === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(n)
}

/** `k="v",k2="v2"` (no braces) for a point's attributes, after the constant labels. */
function labelBody(attributes: Attributes, constant: string): string {
  let out = constant
  for (const key in attributes) {
    const value = attributes[key]
    if (value === undefined || value === null) continue
    const text = Array.isArray(value) ? JSON.stringify(value) : String(value)
    out += `${out ? ',' : ''}${labelName(key)}="${escapeLabelValue(text)}"`
  }
  return out
}

function labelString(attributes: Attributes, constant: string): string {
  const body = labelBody(attributes, constant)
  return body ? `{${body}}` : ''
}

interface Family {
  type: 'counter' | 'gauge' | 'histogram'
  help: string
  metrics: MetricData[]
}

/** An OpenMetrics number in canonical form: integral values keep a `.0` (`le="1.0"`). */
function canonicalNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? `${n}.0` : formatValue(n)
}

/** Epoch seconds of an HrTime, as OpenMetrics writes `_created` (millisecond precision). */
function epochSeconds(time: HrTime): string {
  return (time[0] + Math.floor(time[1] / 1e6) / 1000).toFixed(3)
}

/**
 * Whether the series' start time is when its count began: true for synchronous instruments (and
 * otelkit's own histograms); false for observable counters, whose first observation already holds
 * a total counted since boot or process start.
 */
function hasCreated(metric: MetricData): boolean {
  const type = (metric.descriptor as { type?: unknown }).type
  return typeof type !== 'string' || !type.startsWith('OBSERVABLE')
}

/** The OpenMetrics unit of a family: its Prometheus unit suffix, when the name ends with it. */
function familyUnit(metric: MetricData, family: string): string | undefined {
  const isGauge =
    metric.dataPointType === DataPointType.GAUGE ||
    (metric.dataPointType === DataPointType.SUM && !metric.isMonotonic)
  const suffix = unitSuffix(metric.descriptor.unit, isGauge)
  return suffix !== '' && family.endsWith(`_${suffix}`) ? suffix : undefined
}

/** ` # {trace_id="…",span_id="…"} value timestamp` for bucket `i`, or '' without one. */
function exemplarSuffix(exemplars: BucketExemplars | undefined, i: number): string {
  const traceId = exemplars?.traceIds[i]
  if (exemplars === undefined || traceId === undefined) return ''
  const time = ((exemplars.times[i] as number) / 1000).toFixed(3)
  return ` # {trace_id="${traceId}",span_id="${exemplars.spanIds[i]}"} ${formatValue(exemplars.values[i] as number)} ${time}`
}

/**
 * Writes the exposition straight into UTF-8 chunks of `CHUNK_BYTES`, so a render holds its output
 * once; parts repeated on many lines (a series' labels, `le` values) are encoded once and copied.
 */
class ChunkWriter {
  readonly chunks: Buffer[] = []
  bytes = 0
  private buf = Buffer.allocUnsafe(CHUNK_BYTES)
  private pos = 0

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return
    this.flush()
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n)
  }

  /** Appends text (at most 3 bytes per UTF-16 unit, so `room` is never short). */
  text(value: string): void {
    this.room(value.length * 3)
    this.pos += this.buf.write(value, this.pos, 'utf8')
  }

  raw(bytes: Buffer): void {
    this.room(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }

  /** Appends a non-negative integer (bucket counts) without making a string. */
  count(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      this.text(formatValue(value))
      return
    }
    let digits = 1
    for (let n = value; n >= 10; n = Math.floor(n / 10)) digits++
    this.room(digits)
    let n = value
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      this.buf[i] = 0x30 + (n % 10)
      n = Math.floor(n / 10)
    }
    this.pos += digits
  }

  line(value: string): void {
    this.text(value)
    this.newline()
  }

  newline(): void {
    this.room(1)
    this.buf[this.pos++] = 0x0a
  }

  flush(): void {
    if (this.pos === 0) return
    this.chunks.push(this.buf.subarray(0, this.pos))
    this.bytes += this.pos
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES)
    this.pos = 0
  }
}

const CHUNK_BYTES = 64 * 1024
const INF_LE = Buffer.from('le="+Inf"} ')

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
  /** The exposition text as UTF-8 chunks, in order. */
  chunks: Buffer[]
  /** Total bytes of `chunks`. */
  bytes: number
  /** Series dropped because another scope already produced the same name and labels. */
  duplicates: number
}

/**
 * Bounds on the rendered /metrics text, stated in the README and checked by a test. Each latency
 * histogram keeps at most 2,000 series of 26 lines; data-fed label values are cut at 128
 * characters; other labels come from small fixed sets; resource labels are assumed no longer than
 * 64 (service name) and 32 (namespace, environment) characters. In OpenMetrics each series adds
 * a `_created` line and each bucket at most one exemplar of about 110 bytes.
 */
export const METRICS_SIZE_BOUNDS = {
  /** One per-request latency histogram at its series cap. */
  perHistogramAtCap: 48 * 2 ** 20,
  /** The three per-request latency histograms at their caps, with everything else. */
  atCaps: 120 * 2 ** 20,
} as const

/** Data points serialised between two checks of the time budget by `renderPrometheus`. */
const POINTS_PER_STEP = 64

function familyType(metric: MetricData): Family['type'] | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge'
    case DataPointType.GAUGE:
      return 'gauge'
    case DataPointType.HISTOGRAM:
      return 'histogram'
    default:
      // Exponential histograms are not configured by otelkit; nothing to write.
      return undefined
  }
}

/**
 * The serialiser as a generator: it yields every `POINTS_PER_STEP` data points, so a caller can
 * spread a large render over several turns of the event loop. Metrics of the same Prometheus name
 * from several scopes form one family; a series already written by an earlier scope is dropped.
 */
function* serialize(
  resourceMetrics: ResourceMetrics,
  result: SerializeResult,
  format: ExpositionFormat,
): Generator<void, void> {
  const om = format === 'openmetrics'
  const resource = resourceMetrics.resource.attributes
  const constant = constantLabels(resource)
  const families = new Map<string, Family>()
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const type = familyType(metric)
      if (type === undefined || metric.dataPoints.length === 0) continue
      const name = prometheusName(metric)
      const f = families.get(name)
      if (f) f.metrics.push(metric)
      else families.set(name, { type, help: metric.descriptor.description, metrics: [metric] })
    }
  }
  families.set('target_info', { type: 'gauge', help: 'Target metadata', metrics: [] })

  const out = new ChunkWriter()
  let points = 0
  for (const [name, f] of families) {
    if (name === 'target_info' && f.metrics.length === 0) {
      if (om) {
        out.line('# HELP target Target metadata')
        out.line('# TYPE target info')
      } else {
        out.line('# HELP target_info Target metadata')
        out.line('# TYPE target_info gauge')
      }
      out.line(`target_info${labelString(resource, '')} 1`)
      continue
    }
    // OpenMetrics names a counter family without `_total`; its samples keep it.
    const family = om && f.type === 'counter' ? name.slice(0, -'_total'.length) : name
    out.line(
      `# HELP ${family} ${om ? escapeLabelValue(f.help) : f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
    )
    out.line(`# TYPE ${family} ${f.type}`)
    const unit = om ? familyUnit(f.metrics[0] as MetricData, family) : undefined
    if (unit !== undefined) out.line(`# UNIT ${family} ${unit}`)
    const seen = new Set<string>()
    for (const metric of f.metrics) {
      const created = om && f.type !== 'gauge' && hasCreated(metric)
      if (metric.dataPointType !== DataPointType.HISTOGRAM) {
        for (const point of metric.dataPoints) {
          const labels = labelString(point.attributes, constant)
          const series = `${name}${labels}`
          if (seen.has(series)) result.duplicates++
          else {
            seen.add(series)
            out.line(`${series} ${formatValue(point.value as number)}`)
            if (created) out.line(`${family}_created${labels} ${epochSeconds(point.startTime)}`)
          }
          if (++points % POINTS_PER_STEP === 0) yield
        }
        continue
      }
      const bucket = `${name}_bucket{`
      // `le="..."} ` per boundary, encoded once per metric (its points share boundaries).
      let leBoundaries: number[] | undefined
      let leParts: Buffer[] = []
      for (const point of metric.dataPoints) {
        const value = point.value as Histogram
        const body = labelBody(point.attributes, constant)
        const base = body ? `{${body}}` : ''
        if (seen.has(base)) {
          result.duplicates++
          continue
        }
        seen.add(base)
        const { boundaries, counts } = value.buckets
        if (boundaries !== leBoundaries) {
          leBoundaries = boundaries
          const le = om ? canonicalNumber : formatValue
          leParts = boundaries.map((b) => Buffer.from(`le="${le(b)}"} `))
        }
        const head = Buffer.from(body ? `${bucket}${body},` : bucket)
        const exemplars = om ? (value as HistogramWithExemplars).exemplars : undefined
        let cumulative = 0
        for (let i = 0; i < counts.length; i++) {
          cumulative += counts[i] as number
          out.raw(head)
          out.raw(leParts[i] ?? INF_LE)
          out.count(cumulative)
          if (exemplars !== undefined) out.text(exemplarSuffix(exemplars, i))
          out.newline()
        }
        if (om) {
          // OpenMetrics: _count before _sum, then _created (which Prometheus looks for after).
          out.line(`${name}_count${base} ${value.count}`)
          out.line(`${name}_sum${base} ${formatValue(value.sum ?? 0)}`)
          if (created) out.line(`${name}_created${base} ${epochSeconds(point.startTime)}`)
        } else {
          out.line(`${name}_sum${base} ${formatValue(value.sum ?? 0)}`)
          out.line(`${name}_count${base} ${value.count}`)
        }
        if (++points % POINTS_PER_STEP === 0) yield
      }
    }
  }
  if (om) out.line('# EOF')
  out.flush()
  result.chunks = out.chunks
  result.bytes = out.bytes
}

/** The exposition text of a serialisation result. */
export function exposition(result: SerializeResult): string {
  return Buffer.concat(result.chunks, result.bytes).toString('utf8')
}

/** Serialises in one go; `text` is the whole exposition. */
export function serializePrometheus(
  resourceMetrics: ResourceMetrics,
  format: ExpositionFormat = 'prometheus',
): SerializeResult & { text: string } {
  const result: SerializeResult = { chunks: [], bytes: 0, duplicates: 0 }
  for (const _ of serialize(resourceMetrics, result, format)) {
    // runs to completion
  }
  return { ...result, text: exposition(result) }
}

/**
 * Serialises in slices of at most about `sliceMs` of main-thread time, yielding to the event loop
 * between slices, so a render of thousands of series never stalls the service's own requests.
 */
export async function renderPrometheus(
  resourceMetrics: ResourceMetrics,
  sliceMs = 4,
  format: ExpositionFormat = 'prometheus',
): Promise<SerializeResult> {
  const result: SerializeResult = { chunks: [], bytes: 0, duplicates: 0 }
  const steps = serialize(resourceMetrics, result, format)
  let sliceStart = performance.now()
  while (!steps.next().done) {
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      sliceStart = performance.now()
    }
  }
  return result
}
