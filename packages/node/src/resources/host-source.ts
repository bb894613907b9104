/**
 * Host and process metrics from `@opentelemetry/instrumentation-host-metrics` (system.cpu.*,
 * system.memory.*, system.network.*, process.cpu.*, process.memory.usage). Imported, not required,
 * when the sources start: the bundle puts the package and its dependencies in a chunk of their own.
 */
import type { MeterProvider } from '@opentelemetry/api'
import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics'

/** Starts the host and process sources on `provider`; returns what stops them. */
export function startHostSource(provider: MeterProvider): () => void {
  const host = new HostMetricsInstrumentation({ enabled: false })
  host.setMeterProvider(provider)
  host.enable()
  return () => host.disable()
}
