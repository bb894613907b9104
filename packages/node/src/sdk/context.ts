/**
 * What the SDK hands each feature (health, resources, errors, profiling, ...) when it starts:
 * the resolved config, the meter, a way to add span processors and shutdown hooks. A feature is
 * `{ name, install(ctx) }`; `install` runs before the tracer provider is built, so span
 * processors added there see every span.
 */
import type { Counter, Meter, MeterProvider } from '@opentelemetry/api'
import type { SpanProcessor } from '@opentelemetry/sdk-trace'
import type { ResolvedConfig } from '../config/resolved.js'

export interface SdkContext {
  readonly config: ResolvedConfig
  readonly meterProvider: MeterProvider
  /** Meter of the `@otelkit/node` scope. */
  readonly meter: Meter
  /** `otelkit.telemetry.dropped{signal, reason}`: count every datum otelkit had to drop. */
  readonly telemetryDropped: Counter
  /** Adds a span processor; only valid during `install`. */
  addSpanProcessor(processor: SpanProcessor): void
  /** Runs on SDK shutdown, within the shutdown budget; errors are logged, never thrown. */
  onShutdown(hook: () => void | Promise<void>): void
}

export interface Feature {
  readonly name: string
  install(ctx: SdkContext): void
}
