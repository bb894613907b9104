/**
 * The host and runtime metric sources: `@opentelemetry/instrumentation-host-metrics`
 * (system.cpu.*, system.memory.*, system.network.*, process.cpu.*, process.memory.usage) and
 * `@opentelemetry/instrumentation-runtime-node` (nodejs.eventloop.*, v8js.gc.duration,
 * v8js.memory.heap.*, v8js.resource.active). This module is imported (not required) when the
 * sources start, so the bundle puts both packages and their dependencies in one chunk of their own.
 */
import type { MeterProvider } from '@opentelemetry/api'
import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics'
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node'
import { EVENT_LOOP_DELAY_RESOLUTION_MS, type RuntimeMetricsOptions } from './runtime-options.js'

/** Starts the chosen sources on `provider`; returns what stops them. */
export function startSources(provider: MeterProvider, options: RuntimeMetricsOptions): () => void {
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
