/**
 * Node.js runtime metrics from `@opentelemetry/instrumentation-runtime-node` (nodejs.eventloop.*,
 * v8js.gc.duration, v8js.memory.heap.*, v8js.resource.active). Imported, not required, when the
 * sources start: the bundle puts the package and its dependencies in a chunk of their own.
 */
import type { MeterProvider } from '@opentelemetry/api'
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node'
import { EVENT_LOOP_DELAY_RESOLUTION_MS } from './runtime-options.js'

/** Starts the runtime sources on `provider`; returns what stops them. */
export function startRuntimeSource(provider: MeterProvider): () => void {
  const runtime = new RuntimeNodeInstrumentation({
    enabled: false,
    monitoringPrecision: EVENT_LOOP_DELAY_RESOLUTION_MS,
  })
  runtime.setMeterProvider(provider)
  runtime.enable()
  return () => runtime.disable()
}
