/**
 * Host, process and runtime metrics from the OpenTelemetry instrumentations:
 * `@opentelemetry/instrumentation-host-metrics` (system.cpu.*, system.memory.*,
 * system.network.*, process.cpu.*, process.memory.usage) and
 * `@opentelemetry/instrumentation-runtime-node` (nodejs.eventloop.*, v8js.gc.duration,
 * v8js.memory.heap.*, v8js.resource.active). Both get a sampled meter view, so their sources
 * are read at most once per interval, at collection time. The two packages (and the
 * instrumentation framework under them) are required here, when metrics start, not at import.
 */
import { createRequire } from 'node:module'
import type { MeterProvider } from '@opentelemetry/api'
import type { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics'
import type { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node'
import { narrowRequireHooks } from '../instrumentations/module-hooks.js'
import { sampledMeterProvider } from './sampled-meter.js'

const require = createRequire(import.meta.url)

/** Resolution of the event-loop delay histogram: one unref'd libuv timer wake-up per period. */
export const EVENT_LOOP_DELAY_RESOLUTION_MS = 50

export interface RuntimeMetricsOptions {
  host: boolean
  runtime: boolean
}

export function startRuntimeMetrics(
  meterProvider: MeterProvider,
  intervalMs: number,
  options: RuntimeMetricsOptions,
): () => void {
  // Neither patches a module: the require hook their framework installs sees no require.
  return narrowRequireHooks(
    () => startSources(meterProvider, intervalMs, options),
    () => [],
  )
}

function startSources(meterProvider: MeterProvider, intervalMs: number, options: RuntimeMetricsOptions) {
  const provider = sampledMeterProvider(meterProvider, intervalMs)
  const stops: Array<() => void> = []
  if (options.host) {
    const { HostMetricsInstrumentation: Host } = require('@opentelemetry/instrumentation-host-metrics') as {
      HostMetricsInstrumentation: typeof HostMetricsInstrumentation
    }
    const host = new Host({ enabled: false })
    host.setMeterProvider(provider)
    host.enable()
    stops.push(() => host.disable())
  }
  if (options.runtime) {
    const { RuntimeNodeInstrumentation: Runtime } =
      require('@opentelemetry/instrumentation-runtime-node') as {
        RuntimeNodeInstrumentation: typeof RuntimeNodeInstrumentation
      }
    const runtime = new Runtime({
      enabled: false,
      monitoringPrecision: EVENT_LOOP_DELAY_RESOLUTION_MS,
    })
    runtime.setMeterProvider(provider)
    runtime.enable()
    stops.push(() => runtime.disable())
  }
  return () => {
    for (const stop of stops) stop()
  }
}
