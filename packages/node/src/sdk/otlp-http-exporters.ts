/**
 * The upstream OTLP/HTTP exporters (protobuf metrics and logs; JSON spans, metrics and logs),
 * sending through otelkit's OTLP/HTTP transport (otlp/http-transport.ts) instead of the transport
 * they build on node:http. The upstream classes still serialise and hand each export to the
 * transport: only the sending changes. One export a minute through node:http's client is enough to
 * leave the application's HTTP and stream functions megamorphic for good (otlp/http1-client.ts
 * says why that costs every request). The upstream packages' own copies of
 * `@opentelemetry/otlp-exporter-base` and `@opentelemetry/otlp-transformer` are used, so the
 * serialiser and the base class always match. Protobuf spans have otelkit's own encoder
 * (sdk/span-sinks.ts); grpc stays upstream.
 */
import { createRequire } from 'node:module'
import type { LogRecordExporter } from '@opentelemetry/sdk-logs'
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics'
import type { SpanExporter } from '@opentelemetry/sdk-trace'
import type { OtlpSignalConfig } from '../config/otlp.js'
import { rateLimitedLogger } from '../logger.js'
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
  OTLPExporterBase: new (delegate: unknown) => unknown
}

/** `require` as the package `exporterPackage` itself resolves its dependencies. */
function requireOf(exporterPackage: string): NodeJS.Require {
  return createRequire(require.resolve(exporterPackage))
}

/** Partial successes, logged at most once a minute per signal, as the span sink does. */
const logPartial = rateLimitedLogger(60_000)

/**
 * otelkit's transport as an upstream exporter transport: its retries (within the export's time)
 * replace the upstream retrying transport, so a failure handed back is final. A partial success is
 * logged (the upstream delegate would, from the response body this transport does not keep).
 */
function exporterTransport(
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
  protocol: OtlpHttpProtocol,
): ExporterTransport {
  const transport = createOtlpHttpTransport({
    url: signal.endpoint,
    contentType: protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
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
          logPartial(
            'warn',
            `partial-${signal.signal}`,
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

/** An HTTP protocol the exporters here send (grpc stays upstream). */
export type OtlpHttpProtocol = 'http/protobuf' | 'http/json'

/** Where a signal's upstream pieces are, by encoding: its exporter package and serialiser. */
const UPSTREAM = {
  traces: {
    helper: 'TraceExporterMetricsHelper',
    'http/json': {
      exporterPackage: '@opentelemetry/exporter-trace-otlp-http',
      serializer: 'JsonTraceSerializer',
    },
    'http/protobuf': {
      exporterPackage: '@opentelemetry/exporter-trace-otlp-proto',
      serializer: 'ProtobufTraceSerializer',
    },
  },
  metrics: {
    helper: 'MetricsExporterMetricsHelper',
    'http/json': {
      exporterPackage: '@opentelemetry/exporter-metrics-otlp-http',
      serializer: 'JsonMetricsSerializer',
    },
    'http/protobuf': {
      exporterPackage: '@opentelemetry/exporter-metrics-otlp-proto',
      serializer: 'ProtobufMetricsSerializer',
    },
  },
  logs: {
    helper: 'LogsExporterMetricsHelper',
    'http/json': {
      exporterPackage: '@opentelemetry/exporter-logs-otlp-http',
      serializer: 'JsonLogsSerializer',
    },
    'http/protobuf': {
      exporterPackage: '@opentelemetry/exporter-logs-otlp-proto',
      serializer: 'ProtobufLogsSerializer',
    },
  },
} as const

/** The upstream export delegate of `kind` in `protocol`, sending through {@link exporterTransport}. */
function delegateOf(
  kind: keyof typeof UPSTREAM,
  protocol: OtlpHttpProtocol,
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
): { load: NodeJS.Require; delegate: unknown } {
  const { exporterPackage, serializer } = UPSTREAM[kind][protocol]
  const load = requireOf(exporterPackage)
  const base = load('@opentelemetry/otlp-exporter-base') as ExporterBaseModule
  const transformer = load('@opentelemetry/otlp-transformer') as Record<string, unknown>
  const metrics = new base.ExporterMetrics({
    componentType: `otlp_${protocol === 'http/json' ? 'http_json' : 'http'}_${kind}_exporter`,
    metricsHelper: transformer[UPSTREAM[kind].helper],
    url: signal.endpoint,
    meterProvider: undefined,
    responseAttributesFromError: () => ({}),
  })
  const delegate = base.createOtlpNetworkExportDelegate(
    { timeoutMillis: signal.timeoutMs, concurrencyLimit: 2, compression: 'none' },
    transformer[serializer],
    metrics,
    exporterTransport(signal, tls, protocol),
  )
  return { load, delegate }
}

/** The upstream `OTLPExporterBase` of `kind` in `protocol`: what the span and log exporters are. */
function baseExporter(
  kind: 'traces' | 'logs',
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
  protocol: OtlpHttpProtocol,
): unknown {
  const { load, delegate } = delegateOf(kind, protocol, signal, tls)
  const { OTLPExporterBase } = load('@opentelemetry/otlp-exporter-base') as ExporterBaseModule
  return new OTLPExporterBase(delegate)
}

/** The OTLP/HTTP span exporter of `protocol` on otelkit's transport. */
export function createOtlpHttpTraceExporter(
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
  protocol: OtlpHttpProtocol,
): SpanExporter {
  return baseExporter('traces', signal, tls, protocol) as SpanExporter
}

/** The OTLP/HTTP log exporter of `protocol` on otelkit's transport. */
export function createOtlpHttpLogExporter(
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
  protocol: OtlpHttpProtocol,
): LogRecordExporter {
  return baseExporter('logs', signal, tls, protocol) as LogRecordExporter
}

/** The OTLP/HTTP metric exporter of `protocol` (cumulative temporality) on otelkit's transport. */
export function createOtlpHttpMetricExporter(
  signal: OtlpSignalConfig,
  tls: OtlpTlsMaterial,
  protocol: OtlpHttpProtocol,
): PushMetricExporter {
  const { load, delegate } = delegateOf('metrics', protocol, signal, tls)
  // For http/json that is the package itself, which resolves its own name.
  const { OTLPMetricExporterBase } = load('@opentelemetry/exporter-metrics-otlp-http') as {
    OTLPMetricExporterBase: new (delegate: unknown, config?: object) => PushMetricExporter
  }
  return new OTLPMetricExporterBase(delegate, {})
}
