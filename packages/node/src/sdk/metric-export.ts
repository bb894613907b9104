/**
 * The push path for metrics: a periodic reader whose exporter is wrapped so that data points
 * of failed exports are counted in otelkit.telemetry.dropped{signal="metrics"} and failures are
 * logged at most once a minute.
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import {
  AggregationTemporality,
  type MetricProducer,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import { rateLimitedLogger } from '../logger.js'

function countPoints(metrics: ResourceMetrics): number {
  let n = 0
  for (const scope of metrics.scopeMetrics) for (const m of scope.metrics) n += m.dataPoints.length
  return n
}

/**
 * Wraps a lazily created exporter (built on the first export, so start-up does not load it).
 * Temporality is cumulative, like the SDK's own fast instruments.
 */
export function countingMetricExporter(
  createInner: () => PushMetricExporter,
  target: string,
  onDrop: (count: number) => void,
): PushMetricExporter {
  const logFailure = rateLimitedLogger(60_000)
  let inner: PushMetricExporter | undefined
  return {
    export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void) {
      try {
        inner ??= createInner()
      } catch (error) {
        onDrop(countPoints(metrics))
        logFailure(
          'warn',
          'metrics-exporter',
          `metric exporter for ${target} could not be created: ${(error as Error).message}`,
        )
        resultCallback({ code: ExportResultCode.FAILED, error: error as Error })
        return
      }
      inner.export(metrics, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          const n = countPoints(metrics)
          onDrop(n)
          logFailure(
            'warn',
            'metrics-export',
            `metric export to ${target} failed: ${result.error?.message ?? 'unknown error'}; ${n} data point(s) dropped. Check OTEL_EXPORTER_OTLP_ENDPOINT and that the collector is up`,
          )
        }
        resultCallback(result)
      })
    },
    forceFlush: () => inner?.forceFlush() ?? Promise.resolve(),
    shutdown: () => inner?.shutdown() ?? Promise.resolve(),
    selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
  }
}

export function periodicReader(
  exporter: PushMetricExporter,
  intervalMs: number,
  timeoutMs: number,
  metricProducers: MetricProducer[],
): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: Math.min(timeoutMs, intervalMs),
    metricProducers,
  })
}
