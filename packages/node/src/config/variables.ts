/**
 * Every environment variable the SDK reads, the option it sets and how its value is parsed.
 * This table is the single source for env parsing and for the README's variable list.
 */
import { URL_REDACTIONS } from '../privacy/url.js'
import type { OtelkitOptions } from './options.js'
import {
  OTLP_SETTINGS,
  OTLP_SIGNALS,
  type OtlpSettingName,
  otlpOptionName,
  otlpVariableName,
} from './otlp.js'
import {
  type Parsed,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseHost,
  parseInteger,
  parseKeyValues,
  parseList,
  parseOtlpEndpoint,
  parsePath,
  parseRatio,
  parseString,
  parseToken,
} from './parse.js'

export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const
export const METRICS_EXPORTERS = ['prometheus', 'otlp', 'console', 'none'] as const
export const LOGS_EXPORTERS = ['otlp', 'console', 'none'] as const
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const
export const RESOURCE_DETECTORS = [
  'env',
  'host',
  'os',
  'process',
  'container',
  'aws',
  'gcp',
  'azure',
  'none',
] as const
export const PROPAGATORS = [
  'tracecontext',
  'baggage',
  'b3',
  'b3multi',
  'jaeger',
  'xray',
  'ottrace',
  'none',
] as const
export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const

export const OTLP_COMPRESSIONS = ['gzip', 'none'] as const

export interface EnvVariable {
  name: string
  option: keyof OtelkitOptions
  parse: (raw: string) => Parsed<unknown>
  /** Value may be a secret: never echoed in a warning. */
  secret?: boolean
  /** Set but blank is worth a warning: what then happens, and the accepted form. */
  blank?: string
}

const HOUR = 3_600_000
/** Bounds of the limit variables (a million attributes is no limit at all). */
export const MAX_LENGTH_LIMIT = 1_000_000_000
export const MAX_COUNT_LIMIT = 1_000_000

/** How each OTLP setting is parsed; secrets (endpoints may carry credentials, headers do) never echoed. */
const OTLP_PARSERS: Record<OtlpSettingName, Pick<EnvVariable, 'parse' | 'secret'>> = {
  Endpoint: { parse: parseOtlpEndpoint, secret: true },
  Protocol: { parse: parseEnum(OTLP_PROTOCOLS) },
  Headers: { parse: parseKeyValues('authorization=Bearer%20abc123,x-tenant=shop'), secret: true },
  TimeoutMs: { parse: parseDuration(1, 600_000) },
  Compression: { parse: parseEnum(OTLP_COMPRESSIONS) },
  Certificate: { parse: parsePath },
  ClientKey: { parse: parsePath },
  ClientCertificate: { parse: parsePath },
  Insecure: { parse: parseBoolean },
}

/** Every `OTEL_EXPORTER_OTLP_*` variable: each setting, generic then per signal (config/otlp.ts). */
function otlpVariables(): EnvVariable[] {
  const rows: EnvVariable[] = []
  for (const setting of Object.keys(OTLP_SETTINGS) as OtlpSettingName[]) {
    for (const signal of [undefined, ...OTLP_SIGNALS]) {
      rows.push({
        name: otlpVariableName(setting, signal),
        option: otlpOptionName(setting, signal) as EnvVariable['option'],
        ...OTLP_PARSERS[setting],
      })
    }
  }
  return rows
}

export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'OTEL_SDK_DISABLED', option: 'disabled', parse: parseBoolean },
  { name: 'OTEL_SERVICE_NAME', option: 'serviceName', parse: parseString },
  { name: 'OTEL_SERVICE_VERSION', option: 'serviceVersion', parse: parseString },
  {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    option: 'resourceAttributes',
    parse: parseKeyValues('deployment.environment.name=prod,team=shop'),
  },
  { name: 'OTEL_NODE_RESOURCE_DETECTORS', option: 'resourceDetectors', parse: parseList(RESOURCE_DETECTORS) },
  { name: 'OTEL_TRACES_EXPORTER', option: 'tracesExporter', parse: parseList(TRACES_EXPORTERS) },
  { name: 'OTEL_METRICS_EXPORTER', option: 'metricsExporter', parse: parseList(METRICS_EXPORTERS) },
  { name: 'OTEL_LOGS_EXPORTER', option: 'logsExporter', parse: parseList(LOGS_EXPORTERS) },
  ...otlpVariables(),
  { name: 'OTEL_METRIC_EXPORT_INTERVAL', option: 'metricExportIntervalMs', parse: parseDuration(100, HOUR) },
  { name: 'OTEL_METRIC_EXPORT_TIMEOUT', option: 'metricExportTimeoutMs', parse: parseDuration(1, HOUR) },
  { name: 'OTEL_PROPAGATORS', option: 'propagators', parse: parseList(PROPAGATORS) },
  { name: 'OTEL_TRACES_SAMPLER', option: 'sampler', parse: parseEnum(SAMPLERS) },
  { name: 'OTEL_TRACES_SAMPLER_ARG', option: 'samplerRatio', parse: parseRatio },
  { name: 'OTEL_BSP_MAX_QUEUE_SIZE', option: 'bspMaxQueueSize', parse: parseInteger(1, 1_000_000) },
  {
    name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    option: 'bspMaxExportBatchSize',
    parse: parseInteger(1, 1_000_000),
  },
  { name: 'OTEL_BSP_SCHEDULE_DELAY', option: 'bspScheduleDelayMs', parse: parseDuration(0, HOUR) },
  { name: 'OTEL_BSP_EXPORT_TIMEOUT', option: 'bspExportTimeoutMs', parse: parseDuration(1, HOUR) },
  { name: 'OTEL_BLRP_MAX_QUEUE_SIZE', option: 'blrpMaxQueueSize', parse: parseInteger(1, 1_000_000) },
  {
    name: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
    option: 'blrpMaxExportBatchSize',
    parse: parseInteger(1, 1_000_000),
  },
  { name: 'OTEL_BLRP_SCHEDULE_DELAY', option: 'blrpScheduleDelayMs', parse: parseDuration(0, HOUR) },
  { name: 'OTEL_BLRP_EXPORT_TIMEOUT', option: 'blrpExportTimeoutMs', parse: parseDuration(1, HOUR) },
  ...limitVariables(),
  { name: 'OTEL_NODE_ENABLED_INSTRUMENTATIONS', option: 'enabledInstrumentations', parse: parseList() },
  { name: 'OTEL_NODE_DISABLED_INSTRUMENTATIONS', option: 'disabledInstrumentations', parse: parseList() },
  { name: 'OTEL_LOG_LEVEL', option: 'logLevel', parse: parseEnum(LOG_LEVELS) },
  // The standard Prometheus exporter variables set the ops server (which serves /metrics); listed
  // before OTELKIT_OPS_*, which win when both are set (later rows overwrite earlier ones).
  { name: 'OTEL_EXPORTER_PROMETHEUS_PORT', option: 'opsPort', parse: parseInteger(0, 65_535) },
  { name: 'OTEL_EXPORTER_PROMETHEUS_HOST', option: 'opsHost', parse: parseHost },
  { name: 'OTELKIT_OPS_PORT', option: 'opsPort', parse: parseInteger(0, 65_535) },
  { name: 'OTELKIT_OPS_HOST', option: 'opsHost', parse: parseHost },
  {
    name: 'OTELKIT_DEBUG_TOKEN',
    option: 'debugToken',
    parse: parseToken,
    secret: true,
    blank: '/debug/* stay off; expected a secret of at least 16 characters without spaces',
  },
  { name: 'OTELKIT_METRICS_TOKEN', option: 'metricsToken', parse: parseToken, secret: true },
  { name: 'OTELKIT_METRICS_CACHE', option: 'metricsCacheMs', parse: parseDuration(0, 60_000) },
  {
    name: 'OTELKIT_METRICS_LABEL_VALUES_MAX',
    option: 'metricsLabelValuesMax',
    parse: parseInteger(1, 10_000),
  },
  { name: 'OTELKIT_RESOURCE_INTERVAL', option: 'resourceIntervalMs', parse: parseDuration(0, HOUR) },
  { name: 'OTELKIT_HEALTH_INTERVAL', option: 'healthIntervalMs', parse: parseDuration(0, HOUR) },
  { name: 'OTELKIT_HEALTH_CHECKS', option: 'healthChecks', parse: parseString, secret: true },
  { name: 'OTELKIT_SLOW_QUERY_MS', option: 'slowQueryMs', parse: parseDuration(0, HOUR) },
  { name: 'OTELKIT_SHUTDOWN_TIMEOUT', option: 'shutdownTimeoutMs', parse: parseDuration(0, 60_000) },
  { name: 'OTELKIT_FILESYSTEM_EXCLUDE_TYPES', option: 'filesystemExcludeTypes', parse: parseRawList },
  {
    name: 'OTELKIT_FILESYSTEM_EXCLUDE_MOUNTPOINTS',
    option: 'filesystemExcludeMountPoints',
    parse: parseRawList,
  },
  { name: 'OTELKIT_ERROR_GROUPS_MAX', option: 'errorGroupsMax', parse: parseInteger(1, 100_000) },
  {
    name: 'OTELKIT_ERROR_CRASH_FLUSH_TIMEOUT',
    option: 'errorCrashFlushTimeoutMs',
    parse: parseDuration(0, 60_000),
  },
  { name: 'OTELKIT_PROFILE_MAX_SECONDS', option: 'profileMaxSeconds', parse: parseInteger(1, 3600) },
  { name: 'OTELKIT_HEAP_SNAPSHOT', option: 'heapSnapshot', parse: parseBoolean },
  {
    name: 'OTELKIT_HEAP_SAMPLING_INTERVAL_BYTES',
    option: 'heapSamplingIntervalBytes',
    parse: parseInteger(1024, 1 << 30),
  },
  { name: 'OTELKIT_PROFILER', option: 'profiler', parse: parseEnum(['auto', 'inspector'] as const) },
  { name: 'OTELKIT_URL_REDACTION', option: 'urlRedaction', parse: parseEnum(URL_REDACTIONS) },
  { name: 'OTELKIT_CAPTURE_USER_AGENT', option: 'captureUserAgent', parse: parseBoolean },
]

/** The attribute and span limits (`OTEL_ATTRIBUTE_*_LIMIT`, `OTEL_SPAN_*_LIMIT`, `OTEL_*_ATTRIBUTE_COUNT_LIMIT`). */
function limitVariables(): EnvVariable[] {
  const length = parseInteger(0, MAX_LENGTH_LIMIT)
  const count = parseInteger(0, MAX_COUNT_LIMIT)
  return [
    { name: 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', option: 'attributeValueLengthLimit', parse: length },
    { name: 'OTEL_ATTRIBUTE_COUNT_LIMIT', option: 'attributeCountLimit', parse: count },
    {
      name: 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      option: 'spanAttributeValueLengthLimit',
      parse: length,
    },
    { name: 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', option: 'spanAttributeCountLimit', parse: count },
    { name: 'OTEL_SPAN_EVENT_COUNT_LIMIT', option: 'spanEventCountLimit', parse: count },
    { name: 'OTEL_SPAN_LINK_COUNT_LIMIT', option: 'spanLinkCountLimit', parse: count },
    { name: 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', option: 'eventAttributeCountLimit', parse: count },
    { name: 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', option: 'linkAttributeCountLimit', parse: count },
  ]
}

/** A comma-separated list kept as written (paths and type names are case-sensitive). */
function parseRawList(raw: string): Parsed<string[]> {
  return {
    ok: true,
    value: raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  }
}
