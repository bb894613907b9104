/**
 * Turns env options and code options into the one `ResolvedConfig` the SDK runs with:
 * code wins over env, env over the declared defaults (config/settings); OTLP settings resolved
 * per signal (config/otlp.ts), span limits by config/limits.ts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULTS } from './defaults.js'
import type { EnvOptions } from './env.js'
import { spanLimits } from './limits.js'
import { resolveOtlp } from './otlp.js'
import type { ResolvedConfig } from './resolved.js'
import { type ResolvedSettings, SETTING_ENTRIES } from './settings/index.js'

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

/**
 * Each setting's value (code over env, else a copy of its declared default, else undefined),
 * for every setting the resolved config has a field of (config/settings: not `resolved: false`).
 */
function settingValues(merged: EnvOptions): ResolvedSettings {
  const values: Record<string, unknown> = {}
  const given = merged as Record<string, unknown>
  for (const [option, setting] of SETTING_ENTRIES) {
    if (setting.resolved === false) continue
    const value = given[option] ?? setting.default
    values[option] = Array.isArray(value) ? [...value] : value
  }
  return values as ResolvedSettings
}

export function resolveConfig(merged: EnvOptions, cwd = process.cwd()): ResolvedConfig {
  const app = merged.serviceName && merged.serviceVersion ? {} : readAppPackage(cwd)
  const resourceAttributes = { ...(merged.resourceAttributes ?? {}) }
  const otlp = resolveOtlp(merged)
  const values = settingValues(merged)
  return {
    ...values,
    serviceName:
      merged.serviceName ??
      resourceAttributes['service.name'] ??
      (app.name ? app.name.replace(/^@[^/]+\//, '') : DEFAULTS.serviceName),
    serviceVersion: merged.serviceVersion ?? resourceAttributes['service.version'] ?? app.version,
    resourceAttributes,
    otlp,
    otlpTracesEndpoint: otlp.traces.endpoint,
    otlpMetricsEndpoint: otlp.metrics.endpoint,
    otlpLogsEndpoint: otlp.logs.endpoint,
    otlpTracesProtocol: otlp.traces.protocol,
    otlpMetricsProtocol: otlp.metrics.protocol,
    otlpLogsProtocol: otlp.logs.protocol,
    otlpHeaders: merged.otlpHeaders ?? {},
    // A batch holds at most the queue (consistency.ts warns when asked for more).
    bspMaxExportBatchSize: Math.min(values.bspMaxExportBatchSize, values.bspMaxQueueSize),
    blrpMaxExportBatchSize: Math.min(values.blrpMaxExportBatchSize, values.blrpMaxQueueSize),
    spanLimits: spanLimits(merged),
  }
}
