/**
 * @otelkit/node public API. Most services need none of it: `node --import @otelkit/node/register`
 * does everything. Code that prefers no preload calls `start(options)`.
 */
import type { SpanProcessor } from '@opentelemetry/sdk-trace'
import { loadConfig } from './config/load.js'
import type { OtelkitOptions } from './config/options.js'
import { OtelkitConfigError, OtelkitError } from './errors.js'
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

/** Options of `start`: every setting of `OtelkitOptions`, and span processors of your own. */
export interface StartOptions extends OtelkitOptions {
  /**
   * Span processors of your own (the `SpanProcessor` interface of `@opentelemetry/sdk-trace`:
   * `onStart`, optional `onEnding`, `onEnd`, `forceFlush`, `shutdown`), as the SDK's
   * `spanProcessors` option takes them. Each one is called for every span, sampled or not,
   * after otelkit's privacy scrubbing, metrics and error tracking and before export, in the
   * order given; `forceFlush` and `shutdown` run with otelkit's. This is the slower path: a
   * processor's work lands on the request path of every span. A processor that throws is
   * logged (at most once a minute) and the span goes on. Its hooks are read once, at start; a
   * hook with an empty body (`onStart() {}`) is not called.
   */
  spanProcessors?: SpanProcessor[]
}

const PROCESSOR_METHODS = ['onStart', 'onEnd', 'forceFlush', 'shutdown'] as const

function checkedProcessors(processors: unknown): SpanProcessor[] {
  if (processors === undefined) return []
  if (!Array.isArray(processors)) {
    throw new OtelkitConfigError(['spanProcessors: expected an array of span processors'])
  }
  const issues: string[] = []
  processors.forEach((processor, i) => {
    const missing = PROCESSOR_METHODS.filter(
      (name) => typeof (processor as Record<string, unknown> | null)?.[name] !== 'function',
    )
    if (missing.length > 0) {
      issues.push(`spanProcessors[${i}]: not a span processor (missing ${missing.join(', ')})`)
    }
  })
  if (issues.length > 0) throw new OtelkitConfigError(issues)
  return processors as SpanProcessor[]
}

/**
 * Starts otelkit in code. Options override the matching environment variables. Invalid options
 * throw `OtelkitConfigError` (code `OTELKIT_CONFIG_INVALID`); invalid environment values only warn.
 * Call it before importing the modules to instrument (pg, express, ...), or use the preload.
 */
export function start(options?: StartOptions): RunningSdk {
  if (currentSdk() !== undefined) {
    throw new OtelkitError(
      'OTELKIT_ALREADY_STARTED',
      'otelkit is already running (preload or an earlier start()); call shutdown() first',
    )
  }
  const { spanProcessors, ...settings } = options ?? {}
  const processors = checkedProcessors(spanProcessors)
  const config = loadConfig(options === undefined ? undefined : settings)
  const selected = config.disabled
    ? []
    : selectInstrumentations(config.enabledInstrumentations, config.disabledInstrumentations)
  return startSdk(config, selected, undefined, processors)
}

/** Flushes and stops otelkit if it runs. */
export async function shutdown(): Promise<void> {
  await currentSdk()?.shutdown()
}

/** The running SDK, if any (started by the preload or by `start`). */
export function getSdk(): RunningSdk | undefined {
  return currentSdk()
}
