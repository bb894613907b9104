/**
 * Hot-path metric instruments. The SDK's synchronous instruments sort and JSON-encode the
 * attribute set on every record; per-request metrics here instead look up a cell by a short
 * key string the caller already has, and are exposed to every metric reader as a
 * `MetricProducer` (cumulative temporality). Cardinality is bounded per instrument: past the
 * limit new attribute sets fold into one `otel.metric.overflow=true` series, as the
 * OpenTelemetry specification prescribes; and per label (see label-bounds.ts): a label fed by
 * data keeps a bounded number of values, later ones become `_OTHER`. Both checks run only the
 * first time a key is seen.
 *
 * A histogram also keeps, per bucket of each series, the trace and span id of the last sampled
 * span recorded there (an exemplar, served in the OpenMetrics exposition): a few array writes per
 * record, no allocation after a series' first sampled record. Each series carries its own start
 * time (its first record), which the OpenMetrics exposition serves as `_created`.
 */
import { type Attributes, type HrTime, type SpanContext, TraceFlags, ValueType } from '@opentelemetry/api'
import type { InstrumentationScope } from '@opentelemetry/core'
import { hrTime } from '@opentelemetry/core'
import { emptyResource } from '@opentelemetry/resources'
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics'
import { canonicalKey, type LabelBound, type LabelOverflowListener } from './label-bounds.js'

/** Default cap on distinct attribute sets per instrument. */
export const DEFAULT_CARDINALITY_LIMIT = 2000
const OVERFLOW_KEY = '\u0000overflow'
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true })
/**
 * Caller keys remembered for series whose labels were bounded (folded to `_OTHER` or cut); past
 * this many, such keys are bounded again on every record instead of being remembered.
 */
const MAX_ALIASES = 10_000

export interface InstrumentDescriptor {
  name: string
  description: string
  unit: string
}

/** What a record may take its exemplar from: a live span or an ended one. */
export interface ExemplarSource {
  spanContext(): SpanContext
}

/**
 * The last sampled measurement of each bucket of one series (index = bucket index, the last one
 * +Inf); `traceIds[i]` is undefined while bucket `i` has none. Times are epoch milliseconds.
 */
export interface BucketExemplars {
  traceIds: Array<string | undefined>
  spanIds: Array<string | undefined>
  values: Float64Array
  times: Float64Array
}

/** A histogram point value with its exemplars (only the /metrics writer reads them). */
export interface HistogramWithExemplars extends Histogram {
  exemplars?: BucketExemplars
}

interface HistogramCell {
  attributes: Attributes
  /** When the series got its first record. */
  startTime: HrTime
  /** Made on the first sampled record of the series. */
  exemplars: BucketExemplars | undefined
  counts: Float64Array
  sum: number
  count: number
  min: number
  max: number
  /** A label value of this series was replaced by `_OTHER`: each record here is counted. */
  folded: boolean
}

/** Options of a fast histogram. */
export interface FastHistogramOptions {
  /** Cap on distinct attribute sets. @default 2000 */
  limit?: number
  /** Bound on the values of labels fed by data. @default none */
  labelBound?: LabelBound
  /** Called for each measurement recorded under a label value replaced by `_OTHER`. */
  onLabelOverflow?: LabelOverflowListener
}

export class FastHistogram {
  readonly descriptor: InstrumentDescriptor
  readonly boundaries: readonly number[]
  /** Caller key -> cell (aliases of bounded series included). */
  private readonly cells = new Map<string, HistogramCell>()
  /** Every distinct series once. */
  private readonly series: HistogramCell[] = []
  private readonly limit: number
  private readonly labelBound: LabelBound | undefined
  private readonly onLabelOverflow: LabelOverflowListener | undefined
  private aliases = 0
  /** The key recorded last and its cell (a key's cell never changes once in `cells`). */
  private lastKey: string | undefined = undefined
  private lastCell: HistogramCell | undefined = undefined

  constructor(
    descriptor: InstrumentDescriptor,
    boundaries: readonly number[],
    options: number | FastHistogramOptions = {},
  ) {
    const opts = typeof options === 'number' ? { limit: options } : options
    this.descriptor = descriptor
    this.boundaries = boundaries
    this.limit = opts.limit ?? DEFAULT_CARDINALITY_LIMIT
    this.labelBound = opts.labelBound
    this.onLabelOverflow = opts.onLabelOverflow
  }

  /**
   * Records `value` under `key`. `attributes` is only called the first time a key is seen, so
   * callers build the attribute object once per series, not once per measurement. When `span` is
   * given and sampled, its ids become the exemplar of the bucket the value falls in, stamped
   * `atMs` (epoch ms; callers that already read the clock pass it, else it is read here).
   */
  record(
    key: string,
    value: number,
    attributes: () => Attributes,
    span?: ExemplarSource,
    atMs?: number,
  ): void {
    // A request's series repeats from one record to the next: the same key object, no lookup.
    let cell = key === this.lastKey ? this.lastCell : this.cells.get(key)
    if (cell === undefined) cell = this.createCell(key, attributes)
    else {
      this.lastKey = key
      this.lastCell = cell
    }
    if (cell.folded) this.onLabelOverflow?.()
    const b = this.boundaries
    let i = 0
    const n = b.length
    while (i < n && value > (b[i] as number)) i++
    cell.counts[i] = (cell.counts[i] as number) + 1
    cell.sum += value
    cell.count++
    if (value < cell.min) cell.min = value
    if (value > cell.max) cell.max = value
    if (span === undefined) return
    const context = span.spanContext()
    if ((context.traceFlags & TraceFlags.SAMPLED) === 0) return
    const ex = cell.exemplars ?? this.addExemplars(cell)
    ex.traceIds[i] = context.traceId
    ex.spanIds[i] = context.spanId
    ex.values[i] = value
    ex.times[i] = atMs ?? Date.now()
  }

  private addExemplars(cell: HistogramCell): BucketExemplars {
    const n = this.boundaries.length + 1
    cell.exemplars = {
      traceIds: new Array<string | undefined>(n).fill(undefined),
      spanIds: new Array<string | undefined>(n).fill(undefined),
      values: new Float64Array(n),
      times: new Float64Array(n),
    }
    return cell.exemplars
  }

  private createCell(key: string, attributes: () => Attributes): HistogramCell {
    if (this.series.length >= this.limit) return this.overflowCell()
    const attrs = attributes()
    const bounded = this.labelBound?.apply(attrs) ?? attrs
    if (bounded === attrs) return this.addCell(key, attrs, false)
    // A value was cut or became _OTHER: the series is found by its labels, not the caller's key.
    const folded = this.labelBound?.overflowed === true
    const canonical = canonicalKey(bounded)
    let cell = this.cells.get(canonical)
    if (cell === undefined) {
      if (this.series.length >= this.limit) return this.overflowCell()
      cell = this.addCell(canonical, bounded, folded)
    }
    if (this.aliases < MAX_ALIASES) {
      this.aliases++
      this.cells.set(key, cell)
    }
    return cell
  }

  private overflowCell(): HistogramCell {
    return this.cells.get(OVERFLOW_KEY) ?? this.addCell(OVERFLOW_KEY, OVERFLOW_ATTRIBUTES, false)
  }

  private addCell(key: string, attributes: Attributes, folded: boolean): HistogramCell {
    const cell: HistogramCell = {
      attributes,
      startTime: hrTime(),
      exemplars: undefined,
      counts: new Float64Array(this.boundaries.length + 1),
      sum: 0,
      count: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      folded,
    }
    this.cells.set(key, cell)
    this.series.push(cell)
    return cell
  }

  /** Number of distinct series (for tests and the overflow check). */
  get size(): number {
    return this.series.length
  }

  /** Each series starts at its first record; exemplars are copied (records go on meanwhile). */
  toMetricData(_startTime: HrTime, endTime: HrTime): MetricData {
    const boundaries = [...this.boundaries]
    return {
      descriptor: { ...this.descriptor, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: this.series.map((cell) => {
        const value: HistogramWithExemplars = {
          buckets: { boundaries, counts: Array.from(cell.counts) },
          sum: cell.sum,
          count: cell.count,
          min: cell.min,
          max: cell.max,
        }
        const ex = cell.exemplars
        if (ex !== undefined) {
          value.exemplars = {
            traceIds: [...ex.traceIds],
            spanIds: [...ex.spanIds],
            values: ex.values.slice(),
            times: ex.times.slice(),
          }
        }
        return { startTime: cell.startTime, endTime, attributes: cell.attributes, value }
      }),
    }
  }
}

/** A non-monotonic sum (up-down counter) keyed the same way. */
export class FastUpDownCounter {
  readonly descriptor: InstrumentDescriptor
  private readonly cells = new Map<string, { attributes: Attributes; value: number }>()
  /** The key added to last and its cell (cells are never removed). */
  private lastKey: string | undefined = undefined
  private lastCell: { attributes: Attributes; value: number } | undefined = undefined

  constructor(descriptor: InstrumentDescriptor) {
    this.descriptor = descriptor
  }

  add(key: string, delta: number, attributes: () => Attributes): void {
    // A request adds 1 and then -1 to its method's cell: the same key object, one lookup.
    const cell = key === this.lastKey ? this.lastCell : this.cells.get(key)
    if (cell === undefined) {
      if (this.cells.size >= DEFAULT_CARDINALITY_LIMIT) return
      this.cells.set(key, { attributes: attributes(), value: delta })
      return
    }
    cell.value += delta
    this.lastKey = key
    this.lastCell = cell
  }

  value(key: string): number {
    return this.cells.get(key)?.value ?? 0
  }

  toMetricData(startTime: HrTime, endTime: HrTime): MetricData {
    return {
      descriptor: { ...this.descriptor, valueType: ValueType.INT },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: false,
      dataPoints: [...this.cells.values()].map((cell) => ({
        startTime,
        endTime,
        attributes: cell.attributes,
        value: cell.value,
      })),
    }
  }
}

type FastInstrument = FastHistogram | FastUpDownCounter

/** Exposes a set of fast instruments to metric readers under one instrumentation scope. */
export class FastInstrumentProducer implements MetricProducer {
  private readonly instruments: FastInstrument[] = []
  private readonly startTime: HrTime = hrTime()
  private readonly scope: InstrumentationScope

  constructor(scope: InstrumentationScope) {
    this.scope = scope
  }

  add<T extends FastInstrument>(instrument: T): T {
    this.instruments.push(instrument)
    return instrument
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime()
    const metrics = this.instruments.map((i) => i.toMetricData(this.startTime, endTime))
    return {
      resourceMetrics: {
        // The reader replaces the resource with the SDK's own; only scopeMetrics are merged.
        resource: emptyResource(),
        scopeMetrics: [{ scope: this.scope, metrics: metrics.filter((m) => m.dataPoints.length > 0) }],
      },
      errors: [],
    }
  }
}
