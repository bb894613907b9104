/**
 * Turns env options and code options into the one `ResolvedConfig` the SDK runs with:
 * code wins over env, env over defaults; OTLP settings resolved per signal (config/otlp.ts).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULTS } from './defaults.js'
import type { EnvOptions } from './env.js'
import { spanLimits } from './limits.js'
import { resolveOtlp } from './otlp.js'
import type { ResolvedConfig } from './resolved.js'

interface AppPackage {
  name?: string
  version?: string
}

function readAppPackage(cwd: string): AppPackage {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as AppPackage
    return typeof pkg === 'object' && pkg !== null ? pkg : {}
  } catch {
    return {}
  }
}

export function resolveConfig(merged: EnvOptions, cwd = process.cwd()): ResolvedConfig {
  const app = merged.serviceName && merged.serviceVersion ? {} : readAppPackage(cwd)
  const resourceAttributes = { ...(merged.resourceAttributes ?? {}) }
  const otlp = resolveOtlp(merged)
  return {
    disabled: merged.disabled ?? DEFAULTS.disabled,
    serviceName:
      merged.serviceName ??
      resourceAttributes['service.name'] ??
      (app.name ? app.name.replace(/^@[^/]+\//, '') : DEFAULTS.serviceName),
    serviceVersion: merged.serviceVersion ?? resourceAttributes['service.version'] ?? app.version,
    resourceAttributes,
    resourceDetectors: merged.resourceDetectors ?? [...DEFAULTS.resourceDetectors],
    propagators: merged.propagators ?? [...DEFAULTS.propagators],
    tracesExporter: merged.tracesExporter ?? [...DEFAULTS.tracesExporter],
    metricsExporter: merged.metricsExporter ?? [...DEFAULTS.metricsExporter],
    logsExporter: merged.logsExporter ?? [...DEFAULTS.logsExporter],
    otlp,
    otlpTracesEndpoint: otlp.traces.endpoint,
    otlpMetricsEndpoint: otlp.metrics.endpoint,
    otlpLogsEndpoint: otlp.logs.endpoint,
    otlpTracesProtocol: otlp.traces.protocol,
    otlpMetricsProtocol: otlp.metrics.protocol,
    otlpLogsProtocol: otlp.logs.protocol,
    otlpHeaders: merged.otlpHeaders ?? {},
    otlpTimeoutMs: merged.otlpTimeoutMs ?? DEFAULTS.otlpTimeoutMs,
    otlpCompression: merged.otlpCompression ?? DEFAULTS.otlpCompression,
    metricExportIntervalMs: merged.metricExportIntervalMs ?? DEFAULTS.metricExportIntervalMs,
    metricExportTimeoutMs: merged.metricExportTimeoutMs ?? DEFAULTS.metricExportTimeoutMs,
    sampler: merged.sampler ?? DEFAULTS.sampler,
    samplerRatio: merged.samplerRatio ?? DEFAULTS.samplerRatio,
    bspMaxQueueSize: merged.bspMaxQueueSize ?? DEFAULTS.bspMaxQueueSize,
    bspMaxExportBatchSize: Math.min(
      merged.bspMaxExportBatchSize ?? DEFAULTS.bspMaxExportBatchSize,
      merged.bspMaxQueueSize ?? DEFAULTS.bspMaxQueueSize,
    ),
    bspScheduleDelayMs: merged.bspScheduleDelayMs ?? DEFAULTS.bspScheduleDelayMs,
    bspExportTimeoutMs: merged.bspExportTimeoutMs ?? DEFAULTS.bspExportTimeoutMs,
    blrpMaxQueueSize: merged.blrpMaxQueueSize ?? DEFAULTS.blrpMaxQueueSize,
    blrpMaxExportBatchSize: Math.min(
      merged.blrpMaxExportBatchSize ?? DEFAULTS.blrpMaxExportBatchSize,
      merged.blrpMaxQueueSize ?? DEFAULTS.blrpMaxQueueSize,
    ),
    blrpScheduleDelayMs: merged.blrpScheduleDelayMs ?? DEFAULTS.blrpScheduleDelayMs,
    blrpExportTimeoutMs: merged.blrpExportTimeoutMs ?? DEFAULTS.blrpExportTimeoutMs,
    enabledInstrumentations: merged.enabledInstrumentations,
    disabledInstrumentations: merged.disabledInstrumentations ?? [...DEFAULTS.disabledInstrumentations],
    logLevel: merged.logLevel ?? DEFAULTS.logLevel,
    opsPort: merged.opsPort ?? DEFAULTS.opsPort,
    opsHost: merged.opsHost ?? DEFAULTS.opsHost,
    debugToken: merged.debugToken,
    metricsToken: merged.metricsToken,
    metricsCacheMs: merged.metricsCacheMs ?? DEFAULTS.metricsCacheMs,
    metricsLabelValuesMax: merged.metricsLabelValuesMax ?? DEFAULTS.metricsLabelValuesMax,
    resourceIntervalMs: merged.resourceIntervalMs ?? DEFAULTS.resourceIntervalMs,
    healthIntervalMs: merged.healthIntervalMs ?? DEFAULTS.healthIntervalMs,
    healthChecks: merged.healthChecks ?? DEFAULTS.healthChecks,
    slowQueryMs: merged.slowQueryMs ?? DEFAULTS.slowQueryMs,
    shutdownTimeoutMs: merged.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
    filesystemExcludeTypes: merged.filesystemExcludeTypes,
    filesystemExcludeMountPoints: merged.filesystemExcludeMountPoints,
    classifyError: merged.classifyError,
    errorGroupsMax: merged.errorGroupsMax,
    errorCrashFlushTimeoutMs: merged.errorCrashFlushTimeoutMs,
    profileMaxSeconds: merged.profileMaxSeconds ?? DEFAULTS.profileMaxSeconds,
    heapSnapshot: merged.heapSnapshot ?? DEFAULTS.heapSnapshot,
    heapSamplingIntervalBytes: merged.heapSamplingIntervalBytes ?? DEFAULTS.heapSamplingIntervalBytes,
    profiler: merged.profiler ?? DEFAULTS.profiler,
    urlRedaction: merged.urlRedaction ?? DEFAULTS.urlRedaction,
    captureUserAgent: merged.captureUserAgent ?? DEFAULTS.captureUserAgent,
    attributeValueLengthLimit: merged.attributeValueLengthLimit,
    attributeCountLimit: merged.attributeCountLimit ?? DEFAULTS.attributeCountLimit,
    spanLimits: spanLimits(merged),
  }
}
