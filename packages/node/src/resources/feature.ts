/**
 * The resources feature: host (CPU, memory, network, filesystem, disk I/O), process and
 * runtime metrics, all sampled at collection time at most once per `resourceIntervalMs`
 * (0 turns the feature off, as does `OTEL_METRICS_EXPORTER=none`), with no timer of their own.
 * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` may name `host-metrics` or `runtime-node` to leave one
 * group out. The host and runtime sources (and the instrumentation framework under them) load one second
 * after start-up on an unref'd timer, so loading them is off the service's start-up path.
 */
import { log } from '../logger.js'
import type { Feature, SdkContext } from '../sdk/context.js'
import { registerDiskIoMetrics } from './diskio.js'
import { registerFilesystemMetrics } from './filesystem.js'
import { type ResourcesOptions, resourcesOptions } from './options.js'
import { startRuntimeMetrics } from './runtime.js'

/** Host and runtime sources start this long after start-up, off the service's start-up path. */
export const HOST_RUNTIME_START_DELAY_MS = 1000

/** Per SDK context: settles once its host and runtime sources have started (or could not). */
const sourcesStarted = new WeakMap<SdkContext, Promise<void>>()

/**
 * Resolves once the host and runtime sources of `ctx` have started, failed to start, or were
 * stopped first; at once when the feature is off. Collecting before then finds no such series.
 */
export function hostRuntimeSourcesStarted(ctx: SdkContext): Promise<void> {
  return sourcesStarted.get(ctx) ?? Promise.resolve()
}

function disabled(list: readonly string[] | undefined, name: string): boolean {
  return (list ?? []).some((n) => n === name || n === `@opentelemetry/instrumentation-${name}`)
}

export const resourcesFeature: Feature = {
  name: 'resources',
  install(ctx: SdkContext): void {
    const intervalMs = ctx.config.resourceIntervalMs
    if (!(intervalMs > 0)) {
      log.debug('resource metrics off (OTELKIT_RESOURCE_INTERVAL=0)')
      return
    }
    if (!ctx.config.metricsExporter.some((name) => name !== 'none')) {
      log.debug('resource metrics off: no metrics exporter (OTEL_METRICS_EXPORTER=none)')
      return
    }
    const options = resourcesOptions(ctx.config as Partial<ResourcesOptions>)
    const stops: Array<() => void> = []
    const off = ctx.config.disabledInstrumentations
    let stopped = false
    let settle: () => void = () => {}
    sourcesStarted.set(
      ctx,
      new Promise<void>((resolve) => {
        settle = resolve
      }),
    )
    const deferred = setTimeout(() => {
      if (stopped) return
      const options = { host: !disabled(off, 'host-metrics'), runtime: !disabled(off, 'runtime-node') }
      startRuntimeMetrics(ctx.meterProvider, intervalMs, options)
        .then(
          (stop) => {
            if (stopped) stop()
            else stops.push(stop)
          },
          (error: unknown) => {
            log.warn(
              `host and runtime metrics could not start: ${(error as Error)?.message ?? String(error)}`,
            )
          },
        )
        .finally(settle)
    }, HOST_RUNTIME_START_DELAY_MS)
    deferred.unref()
    stops.push(() => {
      stopped = true
      clearTimeout(deferred)
      settle()
    })
    try {
      stops.push(registerFilesystemMetrics(ctx.meter, options, intervalMs))
      stops.push(registerDiskIoMetrics(ctx.meter, intervalMs))
    } catch (error) {
      log.warn(`resource metrics could not start: ${(error as Error)?.message ?? String(error)}`)
    }
    ctx.onShutdown(() => {
      for (const stop of stops) stop()
    })
  },
}
