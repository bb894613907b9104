/**
 * db.client.operation.duration derived from database client spans, on otelkit's tracer (which keeps
 * epoch milliseconds, or the HrTime a caller gave) and on the SDK's (a user's own span processors'
 * path): the recorded durations are the spans' durations, whichever way their times were given.
 */
import { SpanKind } from '@opentelemetry/api'
import type { HistogramMetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import { ClientSpanProcessor } from '../src/metrics/client-span-processor.js'
import { createSdkInstruments } from '../src/metrics/instruments.js'
import { QueryTracker } from '../src/queries/tracker.js'
import { TRACER_PROVIDERS } from './support/span-collector.js'

const QUERY = { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM items WHERE id = $1' }

describe.each(TRACER_PROVIDERS)('database durations from spans of the $name tracer', ({ make }) => {
  it('records each span’s duration: from the clock, from given HrTimes, from given Dates', async () => {
    const instruments = createSdkInstruments('test')
    const provider = make({
      spanProcessors: [new ClientSpanProcessor(instruments, new QueryTracker({ slowMs: 60_000 }))],
    })
    const tracer = provider.getTracer('db')
    const options = { kind: SpanKind.CLIENT, attributes: QUERY }

    const clocked = tracer.startSpan('SELECT items', options)
    const busyUntil = performance.now() + 5
    while (performance.now() < busyUntil) {}
    clocked.end()
    tracer
      .startSpan('SELECT items', { ...options, startTime: [1_700_000_000, 900_000_000] })
      .end([1_700_000_001, 150_000_000])
    tracer
      .startSpan('SELECT items', { ...options, startTime: new Date(1_700_000_000_000) })
      .end(new Date(1_700_000_000_500))

    const { resourceMetrics } = (await instruments.producer.collect()) as { resourceMetrics: ResourceMetrics }
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'db.client.operation.duration') as HistogramMetricData
    expect(metric.dataPoints).toHaveLength(1)
    const point = metric.dataPoints[0]?.value
    expect(point?.count).toBe(3)
    // 0.25 s and 0.5 s given, and at least 5 ms (well under a second) from the clock.
    const clockedS = (point?.sum ?? 0) - 0.75
    expect(clockedS).toBeGreaterThanOrEqual(0.005 - 1e-9)
    expect(clockedS).toBeLessThan(1)
    expect(point?.max).toBeCloseTo(0.5, 9)
    expect(metric.dataPoints[0]?.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.operation.name': 'SELECT',
    })
  })
})
