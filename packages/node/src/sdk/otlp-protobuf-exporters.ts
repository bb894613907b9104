/**
 * The upstream OTLP/HTTP protobuf metric and log exporters, sending through otelkit's OTLP/HTTP
 * transport (otlp/http-transport.ts) instead of the transport they build on node:http. The
 * upstream classes still serialise and hand each export to the transport: only the sending
 * changes. One export a minute through node:http's client is enough to leave the application's
 * HTTP and stream functions megamorphic for good (otlp/http1-client.ts says why that costs every
 * request). The upstream packages' own copies of `@opentelemetry/otlp-exporter-base` and
 * `@opentelemetry/otlp-transformer` are used, so the serialiser and the base class always match.
 */
import { createRequire } from 'node:module'
import type { LogRecordExporter } from '@opentelemetry/sdk-logs'
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics'
import type { OtlpSignalConfig } from '../config/otlp.js'
import { log } from '../logger.js'
import { createOtlpHttpTransport } from '../otlp/http-transport.js'
import type { OtlpTlsMaterial } from '../otlp/tls.js'

const require = createRequire(import.meta.url)

/** What `send` of an upstream exporter transport answers (otlp-exporter-base's `ExportResponse`). */
type ExportResponse =
  | { status: 'success'; data?: Uint8Array }
  | { status: 'failure'; error: Error }
  | { status: 'retryable'; retryInMillis?: number; error?: Error }

/** otlp-exporter-base's `IExporterTransport`. */
interface ExporterTransport {
  send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse>
  shutdown(): void
}

/** The parts of otlp-exporter-base used here. */
interface ExporterBaseModule {
  createOtlpNetworkExportDelegate(
    options: { timeoutMillis: number; concurrencyLimit: number; compression: 'gzip' | 'none' },
    serializer: unknown,
    metrics: unknown,
    transport: ExporterTransport,
  ): unknown
  ExporterMetrics: new (options: {
    componentType: string
    metricsHelper: unknown
    url: string | undefined
    meterProvider: undefined
    responseAttributesFromError: () => Record<string, never>
  }) => unknown
  OTLPExporterBase: new (delegate: unknown) => LogRecordExporter
}

/** `require` as the package `exporterPackage` itself resolves its dependencies. */
function requireOf(exporterPackage: string): NodeJS.Require {
  return createRequire(require.resolve(exporterPackage))
}

/**
 * otelkit's transport as an upstream exporter transport: its retries (within the export's time)
 * replace the upstream retrying transport, so a failure handed back is final. A partial success is
 * logged (the upstream delegate would, from the response body this transport does not keep).
 */
export function exporterTransport(signal: OtlpSignalConfig, tls: OtlpTlsMaterial): ExporterTransport {
  const transport = createOtlpHttpTransport({
    url: signal.endpoint,
    headers: signal.headers,
    timeoutMs: signal.timeoutMs,
    compression: signal.compression,
    tls,
  })
  return {
    async send(data, timeoutMillis) {
      const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      const result = await transport.send(body, { deadline: Date.now() + timeoutMillis })
      if (result.ok) {
        if (result.partial) {
          log.warn(
            `the OTLP receiver accepted the ${signal.signal} export partly: ${result.partial.rejected} rejected${result.partial.message ? `: ${result.partial.message}` : ''}`,
          )
        }
        return { status: 'success' }
      }
      return { status: 'failure', error: new Error(result.error) }
    },
    shutdown: () => transport.close(),
  }
}

/** Where each signal's upstream pieces are: its exporter package, serialiser and self-metrics helper. */
const PROTOBUF_SIGNALS = {
  metrics: {
    exporterPackage: '@opentelemetry/exporter-metrics-otlp-proto',
    serializer: 'ProtobufMetricsSerializer',
    helper: 'MetricsExporterMetricsHelper',
    componentType: 'otlp_http_metric_exporter',
  },
  logs: {
    exporterPackage: '@opentelemetry/exporter-logs-otlp-proto',
    serializer: 'ProtobufLogsSerializer',
    helper: 'LogsExporterMetricsHelper',
    componentType: 'otlp_http_log_exporter',
  },
} as const

/** The upstream export delegate of `kind`, sending through {@link exporterTransport}. */
function delegateOf(
  kind: keyof typeof PROTOBUF_SIGNALS,
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
): { load: NodeJS.Require; delegate: unknown } {
  const { exporterPackage, serializer, helper, componentType } = PROTOBUF_SIGNALS[kind]
  const load = requireOf(exporterPackage)
  const base = load('@opentelemetry/otlp-exporter-base') as ExporterBaseModule
  const transformer = load('@opentelemetry/otlp-transformer') as Record<string, unknown>
  const metrics = new base.ExporterMetrics({
    componentType,
    metricsHelper: transformer[helper],
    url: signal.endpoint,
    meterProvider: undefined,
    responseAttributesFromError: () => ({}),
  })
  const delegate = base.createOtlpNetworkExportDelegate(
    { timeoutMillis: signal.timeoutMs, concurrencyLimit: 2, compression: 'none' },
    transformer[serializer],
    metrics,
    exporterTransport(signal, tls),
  )
  return { load, delegate }
}

/** The OTLP/HTTP protobuf metric exporter (cumulative temporality) on otelkit's transport. */
export function createOtlpProtobufMetricExporter(
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
): PushMetricExporter {
  const { load, delegate } = delegateOf('metrics', signal, tls)
  const { OTLPMetricExporterBase } = load('@opentelemetry/exporter-metrics-otlp-http') as {
    OTLPMetricExporterBase: new (delegate: unknown, config?: object) => PushMetricExporter
  }
  return new OTLPMetricExporterBase(delegate, {})
}

/** The OTLP/HTTP protobuf log exporter on otelkit's transport. */
export function createOtlpProtobufLogExporter(
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
): LogRecordExporter {
  const { load, delegate } = delegateOf('logs', signal, tls)
  const { OTLPExporterBase } = load('@opentelemetry/otlp-exporter-base') as ExporterBaseModule
  return new OTLPExporterBase(delegate)
}
