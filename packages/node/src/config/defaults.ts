/**
 * Default value of every option. The package README's variable table is checked against this
 * object by a test, so documentation and code cannot drift apart.
 */
import type { OtelkitOptions } from './options.js'
import type { ResolvedConfig } from './resolved.js'

export const DEFAULT_OTLP_HTTP_ENDPOINT = 'http://localhost:4318'
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317'

export const DEFAULTS = {
  disabled: false,
  serviceName: 'unknown_service:node',
  resourceDetectors: ['env', 'host', 'os', 'process', 'container'],
  propagators: ['tracecontext', 'baggage'],
  tracesExporter: ['otlp'],
  metricsExporter: ['prometheus'],
  logsExporter: ['otlp'],
  otlpProtocol: 'http/protobuf',
  otlpTimeoutMs: 10_000,
  otlpCompression: 'none',
  metricExportIntervalMs: 60_000,
  metricExportTimeoutMs: 30_000,
  sampler: 'parentbased_always_on',
  samplerRatio: 1,
  bspMaxQueueSize: 2048,
  bspMaxExportBatchSize: 512,
  bspScheduleDelayMs: 5000,
  bspExportTimeoutMs: 30_000,
  blrpMaxQueueSize: 2048,
  blrpMaxExportBatchSize: 512,
  blrpScheduleDelayMs: 1000,
  blrpExportTimeoutMs: 30_000,
  disabledInstrumentations: [],
  logLevel: 'info',
  opsPort: 9464,
  opsHost: '0.0.0.0',
  metricsCacheMs: 1000,
  metricsLabelValuesMax: 100,
  resourceIntervalMs: 30_000,
  healthIntervalMs: 30_000,
  healthChecks: '',
  slowQueryMs: 500,
  shutdownTimeoutMs: 5000,
  profileMaxSeconds: 60,
  heapSnapshot: false,
  heapSamplingIntervalBytes: 524_288,
  profiler: 'auto',
  urlRedaction: 'default',
  captureUserAgent: false,
  attributeCountLimit: 128,
  spanEventCountLimit: 128,
  spanLinkCountLimit: 128,
  eventAttributeCountLimit: 128,
  linkAttributeCountLimit: 128,
} as const satisfies Partial<ResolvedConfig> & Partial<OtelkitOptions> & { otlpProtocol: string }
