/**
 * Exact metric values in tests: an in-memory reader on a MeterProvider registered as the global one
 * (create caches after installing it), and helpers that find data points by name and attributes.
 */
import { metrics } from '@opentelemetry/api'
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'

export class TestReader extends MetricReader {
  protected override async onShutdown() {}
  protected override async onForceFlush() {}
}

export interface Point {
  attributes: Record<string, unknown>
  value: unknown
}

/** Registers a global MeterProvider reading into a new TestReader, and returns the reader. */
export function installMeterProvider(): TestReader {
  const reader = new TestReader()
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
  return reader
}

/** Every data point of the metric `name`. */
export async function readPoints(reader: TestReader, name: string): Promise<Point[]> {
  const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics }
  const out: Point[] = []
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue
      for (const p of metric.dataPoints) out.push({ attributes: p.attributes, value: p.value })
    }
  }
  return out
}

/** The value of the first point whose attributes include `attrs`, or undefined. */
export function pointValue(list: Point[], attrs: Record<string, unknown>): unknown {
  const p = list.find((x) => Object.entries(attrs).every(([k, v]) => x.attributes[k] === v))
  return p?.value
}
