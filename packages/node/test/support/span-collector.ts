/**
 * In-process tracing for tests: a span processor that keeps every ended span synchronously
 * (exporters run asynchronously), so a test can read `ended` right after `span.end()`, and
 * otelkit's tracer provider with test defaults.
 */
import { defaultResource, type Resource } from '@opentelemetry/resources'
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { resolveConfig } from '../../src/config/resolve.js'
import type { SpanLimitsConfig } from '../../src/config/resolved.js'
import type { SamplingDecision } from '../../src/trace/sampling.js'
import { OtelkitTracerProvider } from '../../src/trace/tracer.js'

export interface SpanCollector extends SpanProcessor {
  /** Every span ended so far, in order. */
  ended: ReadableSpan[]
}

export function spanCollector(): SpanCollector {
  const ended: ReadableSpan[] = []
  return {
    ended,
    onStart: () => {},
    onEnd: (span) => {
      ended.push(span)
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  }
}

/**
 * otelkit's tracer provider for in-process tests: the default resource, every span sampled and the
 * default span limits unless given, and the given processors (a collector, typically).
 */
export function otelkitProvider(options: {
  resource?: Resource
  sample?: SamplingDecision
  spanLimits?: Partial<SpanLimitsConfig>
  spanProcessors: SpanProcessor[]
}): OtelkitTracerProvider {
  return new OtelkitTracerProvider({
    resource: options.resource ?? defaultResource(),
    sample: options.sample ?? (() => true),
    spanLimits: { ...resolveConfig({}).spanLimits, ...options.spanLimits },
    spanProcessors: options.spanProcessors,
  })
}

/** What both tracer providers below take. */
export interface TracerProviderOptions {
  resource?: Resource
  spanProcessors: SpanProcessor[]
}

/**
 * otelkit's tracer provider and the SDK's, for tests that check a behaviour on both (a user's own
 * span processors see SDK spans, otelkit's path sees its own).
 */
export const TRACER_PROVIDERS = [
  { name: 'otelkit', make: (options: TracerProviderOptions) => otelkitProvider(options) },
  { name: 'SDK', make: (options: TracerProviderOptions) => new TracerProvider(options) },
]
