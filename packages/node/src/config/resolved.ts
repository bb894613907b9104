/**
 * The configuration the SDK runs with: every option resolved to a concrete value (env and
 * options merged, defaults applied, endpoints completed).
 */
import type {
  LogLevelName,
  LogsExporterName,
  MetricsExporterName,
  OtelkitOptions,
  OtlpProtocol,
  PropagatorName,
  ResourceDetectorName,
  SamplerName,
  TracesExporterName,
} from './options.js'
import type { OtlpConfig } from './otlp.js'

/** Span limits as the tracer provider takes them (`Infinity`: no limit). */
export interface SpanLimitsConfig {
  attributeValueLengthLimit: number
  attributeCountLimit: number
  eventCountLimit: number
  linkCountLimit: number
  attributePerEventCountLimit: number
  attributePerLinkCountLimit: number
}

export interface ResolvedConfig {
  /** OTLP settings per signal, resolved once (config/otlp.ts); every exporter reads these. */
  otlp: OtlpConfig
  disabled: boolean
  serviceName: string
  serviceVersion: string | undefined
  resourceAttributes: Record<string, string>
  resourceDetectors: ResourceDetectorName[]
  propagators: PropagatorName[]
  tracesExporter: TracesExporterName[]
  metricsExporter: MetricsExporterName[]
  logsExporter: LogsExporterName[]
  /** The flat `otlp*` fields below repeat `otlp.<signal>` (traces: endpoint, protocol; headers, timeout, compression: the generic values). */
  otlpTracesEndpoint: string
  otlpMetricsEndpoint: string
  /** Full OTLP logs endpoint (`${otlpEndpoint}/v1/logs`, or the base endpoint for grpc). */
  otlpLogsEndpoint: string
  otlpTracesProtocol: OtlpProtocol
  otlpMetricsProtocol: OtlpProtocol
  otlpLogsProtocol: OtlpProtocol
  otlpHeaders: Record<string, string>
  otlpTimeoutMs: number
  otlpCompression: 'gzip' | 'none'
  metricExportIntervalMs: number
  /** Bound of one metric push; at most `metricExportIntervalMs`. */
  metricExportTimeoutMs: number
  sampler: SamplerName
  samplerRatio: number
  bspMaxQueueSize: number
  bspMaxExportBatchSize: number
  bspScheduleDelayMs: number
  bspExportTimeoutMs: number
  blrpMaxQueueSize: number
  blrpMaxExportBatchSize: number
  blrpScheduleDelayMs: number
  blrpExportTimeoutMs: number
  enabledInstrumentations: string[] | undefined
  disabledInstrumentations: string[]
  logLevel: LogLevelName
  opsPort: number
  opsHost: string
  debugToken: string | undefined
  metricsToken: string | undefined
  metricsCacheMs: number
  metricsLabelValuesMax: number
  resourceIntervalMs: number
  healthIntervalMs: number
  healthChecks: string
  slowQueryMs: number
  shutdownTimeoutMs: number
  filesystemExcludeTypes: string[] | undefined
  filesystemExcludeMountPoints: string[] | undefined
  classifyError: OtelkitOptions['classifyError']
  errorGroupsMax: number | undefined
  errorCrashFlushTimeoutMs: number | undefined
  profileMaxSeconds: number
  heapSnapshot: boolean
  heapSamplingIntervalBytes: number
  profiler: 'auto' | 'inspector'
  urlRedaction: 'default' | 'route-params' | 'none'
  captureUserAgent: boolean
  /** Longest attribute value kept on any signal (`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`); undefined: no limit. */
  attributeValueLengthLimit: number | undefined
  /** Attributes kept per record of any signal (`OTEL_ATTRIBUTE_COUNT_LIMIT`). */
  attributeCountLimit: number
  /** The limits every span is held to (the span-specific settings, else the general ones). */
  spanLimits: SpanLimitsConfig
}
