/**
 * The push path for metrics: a periodic reader (interval `OTEL_METRIC_EXPORT_INTERVAL`, each push
 * bounded by `OTEL_METRIC_EXPORT_TIMEOUT`) whose exporter is wrapped so that data points of
 * failed exports are counted in otelkit.telemetry.dropped{signal="metrics"} (`export_failed`,
 * or `exporter_unavailable` when the exporter cannot be built, e.g. TLS files that cannot be
 * loaded) and failures are logged at most once a minute.
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import {
  AggregationTemporality,
  type MetricProducer,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import type { ResolvedConfig } from '../config/resolved.js'
import { rateLimitedLogger } from '../logger.js'
import { withoutUserinfo } from '../privacy/url.js'
import { createOtlpMetricExporter, OtlpTlsUnavailableError, otlpTls } from './exporters.js'

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
  onDrop: (count: number, reason: MetricDropReason) => void,
): PushMetricExporter {
  const logFailure = rateLimitedLogger(60_000)
  let inner: PushMetricExporter | undefined
  return {
    export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void) {
      try {
        inner ??= createInner()
      } catch (error) {
        onDrop(countPoints(metrics), 'exporter_unavailable')
        // A TLS problem was warned once when the settings were loaded.
        if (!(error instanceof OtlpTlsUnavailableError)) {
          logFailure(
            'warn',
            'metrics-exporter',
            `metric exporter for ${target} could not be created: ${(error as Error).message}`,
          )
        }
        resultCallback({ code: ExportResultCode.FAILED, error: error as Error })
        return
      }
      inner.export(metrics, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          const n = countPoints(metrics)
          onDrop(n, 'export_failed')
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

/** Why pushed metric points were dropped. */
export type MetricDropReason = 'export_failed' | 'exporter_unavailable'

/**
 * The OTLP push reader of `config.otlp.metrics`. Its TLS files are loaded now, so a problem is
 * warned at start-up rather than at the first push.
 */
export function otlpMetricReader(
  config: ResolvedConfig,
  metricProducers: MetricProducer[],
  onDrop: (count: number, reason: MetricDropReason) => void,
): PeriodicExportingMetricReader {
  otlpTls(config.otlp.metrics)
  const exporter = countingMetricExporter(
    () => createOtlpMetricExporter(config),
    withoutUserinfo(config.otlp.metrics.endpoint),
    onDrop,
  )
  return periodicReader(
    exporter,
    config.metricExportIntervalMs,
    config.metricExportTimeoutMs,
    metricProducers,
  )
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
