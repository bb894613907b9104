/**
 * @otelkit/node public API. Most services need none of it: `node --import @otelkit/node/register`
 * does everything. Code that prefers no preload calls `start(options)`.
 */
import { loadConfig } from './config/load.js'
import type { OtelkitOptions } from './config/options.js'
import { OtelkitError } from './errors.js'
import { selectInstrumentations } from './instrumentations/select.js'
import { currentSdk, type RunningSdk, startSdk } from './sdk/start.js'

export type {
  LogLevelName,
  MetricsExporterName,
  OtelkitOptions,
  OtlpProtocol,
  ResourceDetectorName,
  SamplerName,
  TracesExporterName,
} from './config/options.js'
export type { ResolvedConfig } from './config/resolved.js'
export { ERROR_CODES, OtelkitConfigError, OtelkitError, type OtelkitErrorCode } from './errors.js'
export {
  ATTR_ERROR_CATEGORY,
  ATTR_ERROR_FINGERPRINT,
  type ErrorCategory,
  type ErrorClassifier,
  type ErrorDescription,
  type ErrorGroup,
} from './errors-tracking/index.js'
export {
  type CheckOutcome,
  type CheckStatus,
  type HealthCheck,
  type HealthReport,
  type HealthStatus,
  health,
  healthRoutes,
  type RegisterOptions,
} from './health/index.js'
export { setHttpRoute } from './instrumentations/http-route.js'
export { type OpsHandler, type OpsRouteOptions, registerOpsRoute } from './ops/routes.js'
export type { RunningSdk } from './sdk/start.js'

/**
 * Starts otelkit in code. Options override the matching environment variables. Invalid options
 * throw `OtelkitConfigError` (code `OTELKIT_CONFIG_INVALID`); invalid environment values only warn.
 * Call it before importing the modules to instrument (pg, express, ...), or use the preload.
 */
export function start(options?: OtelkitOptions): RunningSdk {
  if (currentSdk() !== undefined) {
    throw new OtelkitError(
      'OTELKIT_ALREADY_STARTED',
      'otelkit is already running (preload or an earlier start()); call shutdown() first',
    )
  }
  const config = loadConfig(options)
  const selected = config.disabled
    ? []
    : selectInstrumentations(config.enabledInstrumentations, config.disabledInstrumentations)
  return startSdk(config, selected)
}

/** Flushes and stops otelkit if it runs. */
export async function shutdown(): Promise<void> {
  await currentSdk()?.shutdown()
}

/** The running SDK, if any (started by the preload or by `start`). */
export function getSdk(): RunningSdk | undefined {
  return currentSdk()
}
