/**
 * Host, process and runtime metrics from the OpenTelemetry instrumentations (resources/sources.ts),
 * each behind a sampled meter view, so their sources are read at most once per interval, at
 * collection time. The sources are imported here, when metrics start, not with the preload.
 */
import type { MeterProvider } from '@opentelemetry/api'
import { narrowRequireHooks } from '../instrumentations/module-hooks.js'
import type { RuntimeMetricsOptions } from './runtime-options.js'
import { sampledMeterProvider } from './sampled-meter.js'

export { EVENT_LOOP_DELAY_RESOLUTION_MS, type RuntimeMetricsOptions } from './runtime-options.js'

/** Loads and starts the sources; resolves to what stops them. */
export async function startRuntimeMetrics(
  meterProvider: MeterProvider,
  intervalMs: number,
  options: RuntimeMetricsOptions,
): Promise<() => void> {
  const { startSources } = await import('./sources.js')
  // Loading and starting in two turns of the event loop: two short pauses, not one longer one.
  await new Promise((resolve) => setImmediate(resolve))
  const provider = sampledMeterProvider(meterProvider, intervalMs)
  // Neither patches a module: a require hook their framework might install sees no require.
  return narrowRequireHooks(
    () => startSources(provider, options),
    () => [],
  )
}
