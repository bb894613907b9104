/**
 * Validation of the options object passed to `start(options)`. Unlike env values (which warn and
 * fall back), a bad option in code is a programming error: `start` throws `OtelkitConfigError`
 * listing every problem. zod is loaded on first use, so the preload (which only reads env)
 * never pays for it.
 */
import { createRequire } from 'node:module'
import type { z as Z } from 'zod'
import { OtelkitConfigError } from '../errors.js'
import { URL_REDACTIONS } from '../privacy/url.js'
import type { OtelkitOptions } from './options.js'
import { OTLP_SIGNALS, type OtlpSettingName, otlpOptionName } from './otlp.js'
import {
  LOG_LEVELS,
  LOGS_EXPORTERS,
  MAX_COUNT_LIMIT,
  MAX_LENGTH_LIMIT,
  METRICS_EXPORTERS,
  OTLP_PROTOCOLS,
  PROPAGATORS,
  RESOURCE_DETECTORS,
  SAMPLERS,
  TRACES_EXPORTERS,
} from './variables.js'

const require = createRequire(import.meta.url)
const HOUR = 3_600_000

function buildSchema() {
  const { z } = require('zod') as { z: typeof Z }
  const httpUrl = z.string().refine((s) => /^https?:\/\/[^\s]+$/.test(s) && URL.canParse(s), {
    message: 'expected an http:// or https:// URL, e.g. http://otel-collector:4318',
  })
  const ms = (min: number, max: number) => z.number().int().min(min).max(max)
  return z
    .strictObject({
      disabled: z.boolean(),
      serviceName: z.string().min(1),
      serviceVersion: z.string().min(1),
      resourceAttributes: z.record(z.string(), z.string()),
      resourceDetectors: z.array(z.enum(RESOURCE_DETECTORS)),
      propagators: z.array(z.enum(PROPAGATORS)),
      tracesExporter: z.array(z.enum(TRACES_EXPORTERS)),
      metricsExporter: z.array(z.enum(METRICS_EXPORTERS)),
      logsExporter: z.array(z.enum(LOGS_EXPORTERS)),
      otlpEndpoint: httpUrl,
      otlpTracesEndpoint: httpUrl,
      otlpMetricsEndpoint: httpUrl,
      otlpProtocol: z.enum(OTLP_PROTOCOLS),
      otlpHeaders: z.record(z.string(), z.string()),
      otlpTimeoutMs: ms(1, 600_000),
      otlpCompression: z.enum(['gzip', 'none']),
      otlpCertificate: z.string().min(1),
      otlpClientKey: z.string().min(1),
      otlpClientCertificate: z.string().min(1),
      otlpInsecure: z.boolean(),
      ...perSignalOtlpSchema(z, httpUrl),
      metricExportTimeoutMs: ms(1, HOUR),
      metricExportIntervalMs: ms(100, HOUR),
      sampler: z.enum(SAMPLERS),
      samplerRatio: z.number().min(0).max(1),
      bspMaxQueueSize: ms(1, 1_000_000),
      bspMaxExportBatchSize: ms(1, 1_000_000),
      bspScheduleDelayMs: ms(0, HOUR),
      bspExportTimeoutMs: ms(1, HOUR),
      blrpMaxQueueSize: ms(1, 1_000_000),
      blrpMaxExportBatchSize: ms(1, 1_000_000),
      blrpScheduleDelayMs: ms(0, HOUR),
      blrpExportTimeoutMs: ms(1, HOUR),
      enabledInstrumentations: z.array(z.string()),
      disabledInstrumentations: z.array(z.string()),
      logLevel: z.enum(LOG_LEVELS),
      opsPort: ms(0, 65_535),
      opsHost: z.string().min(1),
      debugToken: z.string().min(16, 'expected a secret of at least 16 characters'),
      metricsToken: z.string().min(16, 'expected a secret of at least 16 characters'),
      metricsCacheMs: ms(0, 60_000),
      metricsLabelValuesMax: ms(1, 10_000),
      resourceIntervalMs: ms(0, HOUR),
      healthIntervalMs: ms(0, HOUR),
      healthChecks: z.string(),
      slowQueryMs: ms(0, HOUR),
      shutdownTimeoutMs: ms(0, 60_000),
      filesystemExcludeTypes: z.array(z.string()),
      filesystemExcludeMountPoints: z.array(z.string()),
      classifyError: z.custom<OtelkitOptions['classifyError']>((v) => typeof v === 'function', {
        message: 'expected a function (error) => category | undefined',
      }),
      errorGroupsMax: ms(1, 100_000),
      errorCrashFlushTimeoutMs: ms(0, 60_000),
      profileMaxSeconds: ms(1, 3600),
      heapSnapshot: z.boolean(),
      heapSamplingIntervalBytes: ms(1024, 1 << 30),
      profiler: z.enum(['auto', 'inspector']),
      urlRedaction: z.enum(URL_REDACTIONS),
      captureUserAgent: z.boolean(),
      attributeValueLengthLimit: ms(0, MAX_LENGTH_LIMIT),
      attributeCountLimit: ms(0, MAX_COUNT_LIMIT),
      spanAttributeValueLengthLimit: ms(0, MAX_LENGTH_LIMIT),
      spanAttributeCountLimit: ms(0, MAX_COUNT_LIMIT),
      spanEventCountLimit: ms(0, MAX_COUNT_LIMIT),
      spanLinkCountLimit: ms(0, MAX_COUNT_LIMIT),
      eventAttributeCountLimit: ms(0, MAX_COUNT_LIMIT),
      linkAttributeCountLimit: ms(0, MAX_COUNT_LIMIT),
    })
    .partial()
}

/** `otlpTracesHeaders`, `otlpMetricsTimeoutMs`, ...: the generic OTLP options' per-signal forms. */
function perSignalOtlpSchema(z: typeof Z, httpUrl: Z.ZodType<string>) {
  const settings = {
    Endpoint: httpUrl,
    Protocol: z.enum(OTLP_PROTOCOLS),
    Headers: z.record(z.string(), z.string()),
    TimeoutMs: z.number().int().min(1).max(600_000),
    Compression: z.enum(['gzip', 'none']),
    Certificate: z.string().min(1),
    ClientKey: z.string().min(1),
    ClientCertificate: z.string().min(1),
    Insecure: z.boolean(),
  } satisfies Record<OtlpSettingName, Z.ZodType>
  const entries: Record<string, Z.ZodType> = {}
  for (const signal of OTLP_SIGNALS) {
    for (const [setting, type] of Object.entries(settings)) {
      entries[otlpOptionName(setting as OtlpSettingName, signal)] = type
    }
  }
  return entries
}

let schema: ReturnType<typeof buildSchema> | undefined

/** Validates `start()` options; throws `OtelkitConfigError` naming each bad option. */
export function validateOptions(options: unknown): OtelkitOptions {
  if (options === undefined) return {}
  schema ??= buildSchema()
  const result = schema.safeParse(options)
  if (result.success) return result.data as OtelkitOptions
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.join('.') || '(options)'
    if (issue.code === 'unrecognized_keys') {
      return `unknown option(s) ${issue.keys.join(', ')}: see OtelkitOptions for the accepted names`
    }
    return `${path}: ${issue.message}`
  })
  throw new OtelkitConfigError(issues)
}
