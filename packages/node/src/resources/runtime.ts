/**
 * Host, process and runtime metrics from the OpenTelemetry instrumentations:
 * `@opentelemetry/instrumentation-host-metrics` (system.cpu.*, system.memory.*,
 * system.network.*, process.cpu.*, process.memory.usage) and
 * `@opentelemetry/instrumentation-runtime-node` (nodejs.eventloop.*, v8js.gc.duration,
 * v8js.memory.heap.*, v8js.resource.active). Both get a sampled meter view, so their sources
 * are read at most once per interval, at collection time.
 */
import type { MeterProvider } from '@opentelemetry/api'
import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics'
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node'
import { sampledMeterProvider } from './sampled-meter.js'

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
  const provider = sampledMeterProvider(meterProvider, intervalMs)
  const stops: Array<() => void> = []
  if (options.host) {
    const host = new HostMetricsInstrumentation({ enabled: false })
    host.setMeterProvider(provider)
    host.enable()
    stops.push(() => host.disable())
  }
  if (options.runtime) {
    const runtime = new RuntimeNodeInstrumentation({
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
