/**
 * Hot-path metric instruments. The SDK's synchronous instruments sort and JSON-encode the
 * attribute set on every record; per-request metrics here instead look up a cell by a short
 * key string the caller already has, and are exposed to every metric reader as a
 * `MetricProducer` (cumulative temporality). Cardinality is bounded per instrument: past the
 * limit new attribute sets fold into one `otel.metric.overflow=true` series, as the
 * OpenTelemetry specification prescribes.
 */
import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api'
import type { InstrumentationScope } from '@opentelemetry/core'
import { hrTime } from '@opentelemetry/core'
import { emptyResource } from '@opentelemetry/resources'
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics'

/** Default cap on distinct attribute sets per instrument. */
export const DEFAULT_CARDINALITY_LIMIT = 2000
const OVERFLOW_KEY = '\u0000overflow'
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true })

export interface InstrumentDescriptor {
  name: string
  description: string
  unit: string
}

interface HistogramCell {
  attributes: Attributes
  counts: Float64Array
  sum: number
  count: number
  min: number
  max: number
}

export class FastHistogram {
  readonly descriptor: InstrumentDescriptor
  readonly boundaries: readonly number[]
  private readonly cells = new Map<string, HistogramCell>()
  private readonly limit: number

  constructor(
    descriptor: InstrumentDescriptor,
    boundaries: readonly number[],
    limit = DEFAULT_CARDINALITY_LIMIT,
  ) {
    this.descriptor = descriptor
    this.boundaries = boundaries
    this.limit = limit
  }

  /**
   * Records `value` under `key`. `attributes` is only called the first time a key is seen, so
   * callers build the attribute object once per series, not once per measurement.
   */
  record(key: string, value: number, attributes: () => Attributes): void {
    let cell = this.cells.get(key)
    if (cell === undefined) cell = this.createCell(key, attributes)
    const b = this.boundaries
    let i = 0
    const n = b.length
    while (i < n && value > (b[i] as number)) i++
    cell.counts[i] = (cell.counts[i] as number) + 1
    cell.sum += value
    cell.count++
    if (value < cell.min) cell.min = value
    if (value > cell.max) cell.max = value
  }

  private createCell(key: string, attributes: () => Attributes): HistogramCell {
    let useKey = key
    let attrs: Attributes
    if (this.cells.size >= this.limit) {
      useKey = OVERFLOW_KEY
      attrs = OVERFLOW_ATTRIBUTES
      const existing = this.cells.get(useKey)
      if (existing) return existing
    } else {
      attrs = attributes()
    }
    const cell: HistogramCell = {
      attributes: attrs,
      counts: new Float64Array(this.boundaries.length + 1),
      sum: 0,
      count: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
    }
    this.cells.set(useKey, cell)
    return cell
  }

  /** Number of distinct series (for tests and the overflow check). */
  get size(): number {
    return this.cells.size
  }

  toMetricData(startTime: HrTime, endTime: HrTime): MetricData {
    return {
      descriptor: { ...this.descriptor, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [...this.cells.values()].map((cell) => ({
        startTime,
        endTime,
        attributes: cell.attributes,
        value: {
          buckets: { boundaries: [...this.boundaries], counts: Array.from(cell.counts) },
          sum: cell.sum,
          count: cell.count,
          min: cell.min,
          max: cell.max,
        },
      })),
    }
  }
}

/** A non-monotonic sum (up-down counter) keyed the same way. */
export class FastUpDownCounter {
  readonly descriptor: InstrumentDescriptor
  private readonly cells = new Map<string, { attributes: Attributes; value: number }>()

  constructor(descriptor: InstrumentDescriptor) {
    this.descriptor = descriptor
  }

  add(key: string, delta: number, attributes: () => Attributes): void {
    const cell = this.cells.get(key)
    if (cell === undefined) {
      if (this.cells.size >= DEFAULT_CARDINALITY_LIMIT) return
      this.cells.set(key, { attributes: attributes(), value: delta })
    } else {
      cell.value += delta
    }
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
