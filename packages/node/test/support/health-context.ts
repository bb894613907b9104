/**
 * Test harness for features: an SdkContext over a real MeterProvider whose reader is the
 * Prometheus pull reader (`scrape()` gives the exposition text, `collect()` the data), the
 * shutdown hooks the feature registered, and a captured log.
 */
import { MeterProvider, type MetricData } from '@opentelemetry/sdk-metrics'
import { loadConfig } from '../../src/config/load.js'
import type { ResolvedConfig } from '../../src/config/resolved.js'
import { setLogSink } from '../../src/logger.js'
import { PrometheusPullReader } from '../../src/metrics/prometheus-reader.js'
import type { SdkContext } from '../../src/sdk/context.js'

export interface TestContext {
  ctx: SdkContext
  reader: PrometheusPullReader
  logs: string[]
  /** Every metric collected now, by name. */
  metrics(): Promise<Map<string, MetricData>>
  shutdown(): Promise<void>
}

export function createTestContext(overrides: Partial<ResolvedConfig> = {}): TestContext {
  const config = { ...loadConfig({}, {}), ...overrides }
  const reader = new PrometheusPullReader([])
  const meterProvider = new MeterProvider({ readers: [reader] })
  const meter = meterProvider.getMeter('@otelkit/node')
  const hooks: Array<() => void | Promise<void>> = []
  const logs: string[] = []
  setLogSink((line) => logs.push(line))
  const ctx: SdkContext = {
    config,
    meterProvider,
    meter,
    telemetryDropped: meter.createCounter('otelkit.telemetry.dropped'),
    addSpanProcessor: () => {},
    onShutdown: (hook) => hooks.push(hook),
  }
  return {
    ctx,
    reader,
    logs,
    async metrics() {
      const { resourceMetrics } = await reader.collect()
      const out = new Map<string, MetricData>()
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) out.set(metric.descriptor.name, metric)
      }
      return out
    },
    async shutdown() {
      for (const hook of hooks.reverse()) await hook()
      await meterProvider.shutdown()
    },
  }
}
