/**
 * The public options of `start(options)`. Each has an environment variable of the same meaning
 * (named on the option); an option passed in code wins over the variable. The settings are
 * declared in config/settings/*.ts; this documented interface must match that declaration
 * exactly (checked at compile time at the end of this file).
 */

import type { Mismatch } from './settings/define.js'
import type { LOGS_EXPORTERS, METRICS_EXPORTERS, TRACES_EXPORTERS } from './settings/export.js'
import type { SettingsOptions } from './settings/index.js'
import type { OTLP_COMPRESSIONS, OTLP_PROTOCOLS } from './settings/otlp.js'
import type { PROPAGATORS, SAMPLERS } from './settings/sampling.js'
import type { LOG_LEVELS, RESOURCE_DETECTORS } from './settings/service.js'

export type TracesExporterName = (typeof TRACES_EXPORTERS)[number]
/** A context propagation format of `OTEL_PROPAGATORS`. */
export type PropagatorName = (typeof PROPAGATORS)[number]
export type MetricsExporterName = (typeof METRICS_EXPORTERS)[number]
export type LogsExporterName = (typeof LOGS_EXPORTERS)[number]
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number]
export type OtlpCompression = (typeof OTLP_COMPRESSIONS)[number]

/** The OTLP settings a signal can override (see {@link OtlpPerSignalOptions}). */
export interface OtlpSettingTypes {
  Endpoint: string
  Protocol: OtlpProtocol
  Headers: Record<string, string>
  TimeoutMs: number
  Compression: OtlpCompression
  Certificate: string
  ClientKey: string
  ClientCertificate: string
  Insecure: boolean
}

/**
 * Per-signal forms of the generic OTLP options: `otlpTracesHeaders`, `otlpMetricsTimeoutMs`,
 * `otlpLogsCertificate`, ... (env: `OTEL_EXPORTER_OTLP_TRACES_HEADERS`, ...). Each wins over its
 * generic option for that one signal; a per-signal endpoint is used as is (no `/v1/<signal>`
 * appended). @default the generic option
 */
export type OtlpPerSignalOptions = {
  [K in keyof OtlpSettingTypes as `otlp${'Traces' | 'Metrics' | 'Logs'}${K}`]?: OtlpSettingTypes[K]
}
export type SamplerName = (typeof SAMPLERS)[number]
export type ResourceDetectorName = (typeof RESOURCE_DETECTORS)[number]
export type LogLevelName = (typeof LOG_LEVELS)[number]

/** Options of `start()`; every field is optional. */
export interface OtelkitOptions extends OtlpPerSignalOptions {
  /** Turns the whole SDK into a no-op. Env: `OTEL_SDK_DISABLED`. @default false */
  disabled?: boolean
  /** `service.name`. Env: `OTEL_SERVICE_NAME`. @default the app's package.json name, else 'unknown_service:node' */
  serviceName?: string
  /** `service.version`. Env: `OTEL_SERVICE_VERSION` or `service.version` in `OTEL_RESOURCE_ATTRIBUTES`. @default the app's package.json version */
  serviceVersion?: string
  /** Extra resource attributes. Env: `OTEL_RESOURCE_ATTRIBUTES` (`k=v,k2=v2`, percent-encoded values). @default {} */
  resourceAttributes?: Record<string, string>
  /** Resource detectors. Env: `OTEL_NODE_RESOURCE_DETECTORS`. Cloud ones (aws, gcp, azure) query metadata addresses and are off unless named. @default ['env','host','os','process','container'] */
  resourceDetectors?: ResourceDetectorName[]
  /**
   * Context propagation formats, in order: `tracecontext`, `baggage`, `b3` (single header),
   * `b3multi`, `jaeger`, `xray`, `ottrace`, `none`. Each format's package loads only when named.
   * Env: `OTEL_PROPAGATORS`. @default ['tracecontext','baggage']
   */
  propagators?: PropagatorName[]
  /** Where spans go. Env: `OTEL_TRACES_EXPORTER`. @default ['otlp'] */
  tracesExporter?: TracesExporterName[]
  /** Where metrics go. Env: `OTEL_METRICS_EXPORTER`. @default ['prometheus'] */
  metricsExporter?: MetricsExporterName[]
  /**
   * Where log records from pino, winston and bunyan go (besides the logger's own output):
   * `otlp`, `console`, `none`. The signal's packages load only when a logging library does.
   * Env: `OTEL_LOGS_EXPORTER`. @default ['otlp']
   */
  logsExporter?: LogsExporterName[]
  /** OTLP base endpoint. Env: `OTEL_EXPORTER_OTLP_ENDPOINT` (per signal: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `..._METRICS_ENDPOINT`). @default 'http://localhost:4318' (grpc: 'http://localhost:4317') */
  otlpEndpoint?: string
  /** Full traces endpoint (used as is). Env: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. @default `${otlpEndpoint}/v1/traces` */
  otlpTracesEndpoint?: string
  /** Full metrics endpoint (used as is). Env: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`. @default `${otlpEndpoint}/v1/metrics` */
  otlpMetricsEndpoint?: string
  /** OTLP transport. Env: `OTEL_EXPORTER_OTLP_PROTOCOL` (per signal: `..._TRACES_PROTOCOL`, `..._METRICS_PROTOCOL`). @default 'http/protobuf' */
  otlpProtocol?: OtlpProtocol
  /** Headers sent with OTLP exports. Env: `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`). Values are never logged. @default {} */
  otlpHeaders?: Record<string, string>
  /** Export timeout. Env: `OTEL_EXPORTER_OTLP_TIMEOUT` (`30s`, `500ms`, or ms). @default 10000 */
  otlpTimeoutMs?: number
  /** Compression of OTLP exports. Env: `OTEL_EXPORTER_OTLP_COMPRESSION`. @default 'none' */
  otlpCompression?: 'gzip' | 'none'
  /** CA certificate file (PEM) that verifies the collector's TLS certificate, instead of the system CAs. A file that cannot be loaded stops export (nothing is sent without it) with one warning. Env: `OTEL_EXPORTER_OTLP_CERTIFICATE`. @default undefined (system CAs) */
  otlpCertificate?: string
  /** Client private key file (PEM) for mTLS; needs `otlpClientCertificate`. Env: `OTEL_EXPORTER_OTLP_CLIENT_KEY`. @default undefined */
  otlpClientKey?: string
  /** Client certificate chain file (PEM) for mTLS; needs `otlpClientKey`. Env: `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`. @default undefined */
  otlpClientCertificate?: string
  /** An endpoint written without a scheme (`collector:4317`) is `http://` when true, `https://` when false. Env: `OTEL_EXPORTER_OTLP_INSECURE`. @default false */
  otlpInsecure?: boolean
  /** Time allowed to one metric push (the reader's bound, at most the interval). Env: `OTEL_METRIC_EXPORT_TIMEOUT` (`30s`, `500ms`, or ms). @default 30000 */
  metricExportTimeoutMs?: number
  /** Interval of OTLP metric pushes. Env: `OTEL_METRIC_EXPORT_INTERVAL` (`30s`, `500ms`, or ms). @default 60000 */
  metricExportIntervalMs?: number
  /** Sampler. Env: `OTEL_TRACES_SAMPLER`. @default 'parentbased_always_on' */
  sampler?: SamplerName
  /** Ratio for the ratio samplers, 0..1. Env: `OTEL_TRACES_SAMPLER_ARG`. @default 1 */
  samplerRatio?: number
  /** Batch span processor queue size; spans beyond it are dropped and counted. Env: `OTEL_BSP_MAX_QUEUE_SIZE`. @default 2048 */
  bspMaxQueueSize?: number
  /** Batch size. Env: `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`. @default 512 */
  bspMaxExportBatchSize?: number
  /** Delay between exports. Env: `OTEL_BSP_SCHEDULE_DELAY` (`30s`, `500ms`, or ms). @default 5000 */
  bspScheduleDelayMs?: number
  /** Export timeout of the batch processor. Env: `OTEL_BSP_EXPORT_TIMEOUT` (`30s`, `500ms`, or ms). @default 30000 */
  bspExportTimeoutMs?: number
  /** Batch log record processor queue size; records beyond it are dropped and counted. Env: `OTEL_BLRP_MAX_QUEUE_SIZE`. @default 2048 */
  blrpMaxQueueSize?: number
  /** Log records per export. Env: `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE`. @default 512 */
  blrpMaxExportBatchSize?: number
  /** Delay between log exports. Env: `OTEL_BLRP_SCHEDULE_DELAY` (`30s`, `500ms`, or ms). @default 1000 */
  blrpScheduleDelayMs?: number
  /** Export timeout of the batch log record processor. Env: `OTEL_BLRP_EXPORT_TIMEOUT` (`30s`, `500ms`, or ms). @default 30000 */
  blrpExportTimeoutMs?: number
  /** Instrumentations to enable (others off). Env: `OTEL_NODE_ENABLED_INSTRUMENTATIONS` (e.g. `http,pg`). @default all that apply */
  enabledInstrumentations?: string[]
  /** Instrumentations to disable. Env: `OTEL_NODE_DISABLED_INSTRUMENTATIONS`. @default [] */
  disabledInstrumentations?: string[]
  /** Diagnostic log level. Env: `OTEL_LOG_LEVEL`. @default 'info' */
  logLevel?: LogLevelName
  /** Ops server port (metrics, health, debug); 0 picks a free port. Env: `OTELKIT_OPS_PORT`. @default 9464 */
  opsPort?: number
  /** Ops server bind address: `0.0.0.0` lets Prometheus on another host or container scrape, `127.0.0.1` keeps the ops server to the machine. Env: `OTELKIT_OPS_HOST`. @default '0.0.0.0' */
  opsHost?: string
  /** Enables /debug/* routes behind this bearer token (at least 16 characters). Env: `OTELKIT_DEBUG_TOKEN`. @default undefined (off) */
  debugToken?: string
  /** When set, /metrics answers only requests with `Authorization: Bearer <token>` (at least 16 characters; compared in constant time). Env: `OTELKIT_METRICS_TOKEN`. @default undefined (open) */
  metricsToken?: string
  /** A rendered /metrics text is served again to scrapes within this long after it was rendered (0: render every scrape; concurrent scrapes always share one render). Env: `OTELKIT_METRICS_CACHE`. @default 1000 */
  metricsCacheMs?: number
  /** Distinct values kept per data-fed label (`db.collection.name`, `http.route`, `error.type`, ...) and metric; later values become `_OTHER`. Env: `OTELKIT_METRICS_LABEL_VALUES_MAX`. @default 100 */
  metricsLabelValuesMax?: number
  /** Interval of host and runtime metric collection. Env: `OTELKIT_RESOURCE_INTERVAL` (`30s`, `500ms`, or ms). @default 30000 */
  resourceIntervalMs?: number
  /** Interval of background health checks. Env: `OTELKIT_HEALTH_INTERVAL`. @default 30000 */
  healthIntervalMs?: number
  /** Declarative health checks: `name=url,...` (postgres://, mysql://, redis://, http(s)://). Env: `OTELKIT_HEALTH_CHECKS`. @default '' */
  healthChecks?: string
  /** Statements slower than this are logged once as a slow query; 0 turns the log off. Env: `OTELKIT_SLOW_QUERY_MS`. @default 500 */
  slowQueryMs?: number
  /** Flush budget on SIGTERM/SIGINT/beforeExit. Env: `OTELKIT_SHUTDOWN_TIMEOUT` (`30s`, `500ms`, or ms). @default 5000 */
  shutdownTimeoutMs?: number
  /** Filesystem types left out of system.filesystem.* metrics. Env: `OTELKIT_FILESYSTEM_EXCLUDE_TYPES`. @default the pseudo filesystems (see docs/health-and-resources.md) */
  filesystemExcludeTypes?: string[]
  /** Mount points left out (`/path/*` matches below). Env: `OTELKIT_FILESYSTEM_EXCLUDE_MOUNTPOINTS`. @default '/proc/*,/sys/*,/dev/*,/run/*,...' */
  filesystemExcludeMountPoints?: string[]
  /** Your error classification rules, run before the built-in ones (code only). @default undefined */
  classifyError?: (
    error: import('../errors-tracking/types.js').ErrorDescription,
  ) => import('../errors-tracking/types.js').ErrorCategory | undefined
  /** Error groups kept for /debug/errors (LRU). Env: `OTELKIT_ERROR_GROUPS_MAX`. @default 500 */
  errorGroupsMax?: number
  /** Time allowed to export an uncaught exception before the process exits. Env: `OTELKIT_ERROR_CRASH_FLUSH_TIMEOUT` (`30s`, `500ms`, or ms). @default 2000 */
  errorCrashFlushTimeoutMs?: number
  /** Longest CPU profile a request may ask for, in seconds. Env: `OTELKIT_PROFILE_MAX_SECONDS`. @default 60 */
  profileMaxSeconds?: number
  /** Serve /debug/heapsnapshot (pauses the process while it writes). Env: `OTELKIT_HEAP_SNAPSHOT`. @default false */
  heapSnapshot?: boolean
  /** Average bytes between heap samples of the sampling heap profiler. Env: `OTELKIT_HEAP_SAMPLING_INTERVAL_BYTES`. @default 524288 */
  heapSamplingIntervalBytes?: number
  /** CPU/heap profiler: `auto` (@datadog/pprof, falling back to node:inspector) or `inspector`. Env: `OTELKIT_PROFILER`. @default 'auto' */
  profiler?: 'auto' | 'inspector'
  /** How `url.path` and `url.full` are recorded: `default` (e-mail, JWT and token segments replaced by `{email}`, `{jwt}`, `{token}`), `route-params` (server spans: the route template, every parameter value replaced by its name), `none` (as requested; query strings are never recorded). Env: `OTELKIT_URL_REDACTION`. @default 'default' */
  urlRedaction?: 'default' | 'route-params' | 'none'
  /** Record `user_agent.original` on server spans. Env: `OTELKIT_CAPTURE_USER_AGENT`. @default false */
  captureUserAgent?: boolean
  /** Longest attribute value kept (longer strings, and strings in arrays, are cut) on spans, events, links and log records. Env: `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`. @default undefined (no limit) */
  attributeValueLengthLimit?: number
  /** Attributes kept per span, event, link and log record; more are dropped and counted in the OTLP `dropped_attributes_count`. Env: `OTEL_ATTRIBUTE_COUNT_LIMIT`. @default 128 */
  attributeCountLimit?: number
  /** Longest span attribute value kept. Env: `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`. @default `attributeValueLengthLimit` */
  spanAttributeValueLengthLimit?: number
  /** Attributes kept per span. Env: `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`. @default `attributeCountLimit` */
  spanAttributeCountLimit?: number
  /** Events kept per span (the oldest are dropped first and counted). Env: `OTEL_SPAN_EVENT_COUNT_LIMIT`. @default 128 */
  spanEventCountLimit?: number
  /** Links kept per span. Env: `OTEL_SPAN_LINK_COUNT_LIMIT`. @default 128 */
  spanLinkCountLimit?: number
  /** Attributes kept per span event. Env: `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`. @default 128 */
  eventAttributeCountLimit?: number
  /** Attributes kept per span link. Env: `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`. @default 128 */
  linkAttributeCountLimit?: number
}

/** Compile-time check: `T` must be `never` (here: the names of options that differ). */
type NoMismatch<T extends never> = T
/**
 * OtelkitOptions and the declaration (config/settings) have the same options with the same
 * types, both ways; a difference fails the build naming the option.
 */
export type OptionsMatchDeclaration = NoMismatch<Mismatch<OtelkitOptions, SettingsOptions>>
