/**
 * Host, process and runtime metrics from the OpenTelemetry instrumentations (host-source.ts,
 * runtime-source.ts), each behind a sampled meter view, so their sources are read at most once
 * per interval, at collection time. The sources are imported here, when metrics start, not with
 * the preload, one step per turn of the event loop (the framework's require hook, the framework,
 * each package, each start), so a service serving requests meanwhile sees several short pauses
 * instead of one long one.
 */
import type { MeterProvider } from '@opentelemetry/api'
import { narrowRequireHooks } from '../instrumentations/module-hooks.js'
import type { RuntimeMetricsOptions } from './runtime-options.js'
import { sampledMeterProvider } from './sampled-meter.js'

export { EVENT_LOOP_DELAY_RESOLUTION_MS, type RuntimeMetricsOptions } from './runtime-options.js'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** Loads and starts the sources; resolves to what stops them. */
export async function startRuntimeMetrics(
  meterProvider: MeterProvider,
  intervalMs: number,
  options: RuntimeMetricsOptions,
): Promise<() => void> {
  const provider = sampledMeterProvider(meterProvider, intervalMs)
  const stops: Array<() => void> = []
  const stopAll = () => {
    for (const stop of stops) stop()
  }
  // Neither source patches a module: a require hook their framework might install sees no require.
  const start = (source: (provider: MeterProvider) => () => void) =>
    stops.push(
      narrowRequireHooks(
        () => source(provider),
        () => [],
      ),
    )
  try {
    if (!options.host && !options.runtime) return stopAll
    // require-in-the-middle (not bundled, see scripts/bundle.mjs) and then the framework on it.
    await import('require-in-the-middle')
    await nextTurn()
    await import('./instrumentation-framework.js')
    if (options.runtime) {
      await nextTurn()
      const { startRuntimeSource } = await import('./runtime-source.js')
      await nextTurn()
      start(startRuntimeSource)
    }
    if (options.host) {
      await nextTurn()
      const { startHostSource } = await import('./host-source.js')
      await nextTurn()
      start(startHostSource)
    }
  } catch (error) {
    stopAll()
    throw error
  }
  return stopAll
}
