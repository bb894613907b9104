/**
 * The error-tracking feature: counts and groups failures seen in spans and uncaught
 * exceptions, marks spans with category and fingerprint, and serves `/debug/errors`.
 */
import { DEFAULTS } from '../config/defaults.js'
import { registerOpsRoute, unregisterOpsRoute } from '../ops/routes.js'
import type { Feature, SdkContext } from '../sdk/context.js'
import { installCrashMonitor } from './crash.js'
import { errorsDebugHandler } from './debug-route.js'
import { ErrorSpanProcessor } from './span-processor.js'
import { ErrorTracker } from './tracker.js'
import type { ErrorClassifier, ErrorsTrackingOptions } from './types.js'

export const ERRORS_DEFAULTS = {
  maxGroups: DEFAULTS.errorGroupsMax,
  fingerprintFrames: 5,
  maxStackLength: 4096,
  maxMessageLength: 1024,
  crashFlushTimeoutMs: DEFAULTS.errorCrashFlushTimeoutMs,
  debugPath: '/debug/errors',
} as const

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback
}

/**
 * Settings the SDK may carry in its resolved config (`start()` options and environment); an
 * option passed to `errorsFeature()` wins over them.
 */
interface ConfigSettings {
  classifyError?: ErrorClassifier
  errorGroupsMax?: number
  errorCrashFlushTimeoutMs?: number
}

/** The running feature, for tests and for `start()`'s caller. */
export interface ErrorsTrackingHandle {
  readonly tracker: ErrorTracker
}

/** Creates the feature; `install` wires it into a starting SDK. */
export function errorsFeature(
  options: ErrorsTrackingOptions = {},
): Feature & { handle?: ErrorsTrackingHandle } {
  const feature: Feature & { handle?: ErrorsTrackingHandle } = {
    name: 'errors',
    install(ctx: SdkContext): void {
      const fromConfig = ctx.config as typeof ctx.config & ConfigSettings
      const classifyError =
        options.classifyError ??
        (typeof fromConfig.classifyError === 'function' ? fromConfig.classifyError : undefined)
      const maxGroups = positive(options.maxGroups ?? fromConfig.errorGroupsMax, ERRORS_DEFAULTS.maxGroups)
      const counter = ctx.meter.createCounter('otelkit.errors', {
        description: 'Failures by category',
        unit: '{error}',
      })
      const tracker = new ErrorTracker(counter, {
        classifier: classifyError,
        appRoot: options.appRoot ?? process.cwd(),
        fingerprintFrames: positive(options.fingerprintFrames, ERRORS_DEFAULTS.fingerprintFrames),
        maxGroups,
        maxStackLength: positive(options.maxStackLength, ERRORS_DEFAULTS.maxStackLength),
        maxMessageLength: positive(options.maxMessageLength, ERRORS_DEFAULTS.maxMessageLength),
      })
      ctx.addSpanProcessor(new ErrorSpanProcessor(tracker))
      const path = options.debugPath ?? ERRORS_DEFAULTS.debugPath
      registerOpsRoute(path, errorsDebugHandler(tracker.groups, maxGroups), { debug: true })
      const stop = installCrashMonitor({
        tracker,
        config: ctx.config,
        timeoutMs: positive(
          options.crashFlushTimeoutMs ?? fromConfig.errorCrashFlushTimeoutMs,
          ERRORS_DEFAULTS.crashFlushTimeoutMs,
        ),
      })
      ctx.onShutdown(() => {
        stop()
        unregisterOpsRoute(path)
      })
      feature.handle = { tracker }
    },
  }
  return feature
}
