/**
 * The resources feature: host (CPU, memory, network, filesystem, disk I/O), process and
 * runtime metrics, all sampled at collection time at most once per `resourceIntervalMs`
 * (0 turns the feature off, as does `OTEL_METRICS_EXPORTER=none`), with no timer of their own.
 * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` may name `host-metrics` or `runtime-node` to leave one
 * group out.
 */
import { log } from '../logger.js'
import type { Feature, SdkContext } from '../sdk/context.js'
import { registerDiskIoMetrics } from './diskio.js'
import { registerFilesystemMetrics } from './filesystem.js'
import { type ResourcesOptions, resourcesOptions } from './options.js'
import { startRuntimeMetrics } from './runtime.js'

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
    try {
      stops.push(
        startRuntimeMetrics(ctx.meterProvider, intervalMs, {
          host: !disabled(off, 'host-metrics'),
          runtime: !disabled(off, 'runtime-node'),
        }),
      )
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
