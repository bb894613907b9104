/**
 * otelkit's tracer provider and tracer, implementing the `@opentelemetry/api` interfaces that
 * upstream instrumentations and user code call. A span starts with one context read for its
 * parent, ids from a pooled random buffer, the configured head-sampling decision inline, and
 * goes through the processors of one `SpanPipeline`. Suppressed tracing (otelkit's own exports)
 * gets the API's non-recording span. Every span is recorded; only sampled ones are exported. The
 * tracer also tells otelkit's own database instrumentations when a call may count itself without
 * a span (quiet-calls.ts).
 */
import {
  type Context,
  context as contextApi,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import { type InstrumentationScope, isTracingSuppressed } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { SpanProcessor } from '@opentelemetry/sdk-trace'
import type { SpanLimitsConfig } from '../config/resolved.js'
import { withSpan } from './context.js'
import { drawnAt, drawnPool, newSpanId, newTraceId } from './ids.js'
import { SpanPipeline } from './pipeline.js'
import type { QuietDbCalls } from './quiet-calls.js'
import type { SamplingDecision } from './sampling.js'
import { OtelkitSpan, OwnedAttributesOptions } from './span.js'

const EMPTY_OPTIONS: SpanOptions = Object.freeze({})

/** Options of otelkit's tracer provider. */
export interface OtelkitTracerProviderOptions {
  /** The resource every span carries. */
  resource: Resource
  /** Whether a span is sampled (exported); every span is recorded either way. */
  sample: SamplingDecision
  /** Span, event and link limits (OTEL_SPAN_*, OTEL_EVENT_*, OTEL_LINK_*). */
  spanLimits: SpanLimitsConfig
  /** Called in order for every span; `onEnding` where a processor has it. */
  spanProcessors: readonly SpanProcessor[]
  /**
   * Where database calls that make no span are recorded (quiet-calls.ts), when every processor
   * is one of otelkit's own that reads an unsampled, successful client span only for its
   * duration; undefined: every call makes its span.
   */
  quietDbCalls?: QuietDbCalls
}

/** The span context of `parentSpan` when a span can be its child: valid, or one of otelkit's. */
function validParentOf(parentSpan: Span | undefined): SpanContext | undefined {
  if (parentSpan === undefined) return undefined
  const candidate = parentSpan.spanContext()
  // otelkit's own spans carry valid contexts by construction: no id check for them.
  return parentSpan instanceof OtelkitSpan || isSpanContextValid(candidate) ? candidate : undefined
}

export class OtelkitTracer implements Tracer {
  readonly instrumentationScope: InstrumentationScope
  private readonly provider: OtelkitTracerProvider

  constructor(provider: OtelkitTracerProvider, scope: InstrumentationScope) {
    this.provider = provider
    this.instrumentationScope = scope
  }

  startSpan(name: string, options: SpanOptions = EMPTY_OPTIONS, ctx: Context = contextApi.active()): Span {
    let parentContext = ctx
    if (options.root) parentContext = trace.deleteSpan(parentContext)
    if (isTracingSuppressed(parentContext)) return this.provider.nonRecording()
    const parentSpan = trace.getSpan(parentContext)
    const parent = validParentOf(parentSpan)
    const provider = this.provider
    let traceId: string
    let traceIdPool: DataView | undefined
    let traceIdAt = 0
    let parentIdPool: DataView | undefined
    let parentIdAt = 0
    if (parent === undefined) {
      traceId = newTraceId()
      traceIdPool = drawnPool
      traceIdAt = drawnAt
    } else {
      traceId = parent.traceId
      if (parentSpan instanceof OtelkitSpan) {
        traceIdPool = parentSpan.traceIdPool
        traceIdAt = parentSpan.traceIdAt
        parentIdPool = parentSpan.spanIdPool
        parentIdAt = parentSpan.spanIdAt
      }
    }
    const sampled = provider.sample(parent, traceId)
    const spanId = newSpanId()
    const spanIdPool = drawnPool
    const spanIdAt = drawnAt
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags: sampled ? 1 : 0,
      traceState: parent?.traceState,
    }
    return new OtelkitSpan(
      {
        pipeline: provider.pipeline,
        resource: provider.resource,
        scope: this.instrumentationScope,
        spanContext,
        parentSpanContext: parent,
        traceIdPool,
        traceIdAt,
        spanIdPool,
        spanIdAt,
        parentIdPool,
        parentIdAt,
        name,
        kind: options.kind ?? SpanKind.INTERNAL,
        attributes: options.attributes,
        owned: options instanceof OwnedAttributesOptions,
        links: options.links,
        startTime: options.startTime,
      },
      parentContext,
    )
  }

  /**
   * Where a database call about to start under `parentContext` may be recorded without a span
   * (quiet-calls.ts): when its span would be recorded and not sampled, under a valid parent that is
   * not itself a database span, and the provider allows it. Undefined: the call makes its span.
   */
  quietDbCalls(parentContext: Context): QuietDbCalls | undefined {
    const provider = this.provider
    const quiet = provider.quietDbCalls
    if (quiet === undefined || isTracingSuppressed(parentContext)) return undefined
    const parentSpan = trace.getSpan(parentContext)
    const parent = validParentOf(parentSpan)
    if (parentSpan === undefined || parent === undefined) return undefined
    if (provider.sample(parent, parent.traceId) || !quiet.acceptsParent(parentSpan)) return undefined
    return quiet
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    arg2?: SpanOptions | F,
    arg3?: Context | F,
    arg4?: F,
  ): ReturnType<F> | undefined {
    let options: SpanOptions | undefined
    let ctx: Context | undefined
    let fn: F | undefined
    if (typeof arg2 === 'function') fn = arg2
    else if (typeof arg3 === 'function') {
      options = arg2
      fn = arg3
    } else {
      options = arg2
      ctx = arg3
      fn = arg4
    }
    if (typeof fn !== 'function') return undefined
    const parentContext = ctx ?? contextApi.active()
    const span = this.startSpan(name, options, parentContext)
    return contextApi.with(
      withSpan(parentContext, span),
      fn as (span: Span) => ReturnType<F>,
      undefined,
      span,
    )
  }
}

export class OtelkitTracerProvider implements TracerProvider {
  readonly resource: Resource
  readonly sample: SamplingDecision
  readonly pipeline: SpanPipeline
  readonly quietDbCalls: QuietDbCalls | undefined
  private readonly tracers = new Map<string, OtelkitTracer>()
  private nonRecordingSpan: Span | undefined
  private stopped = false

  constructor(options: OtelkitTracerProviderOptions) {
    this.resource = options.resource
    this.sample = options.sample
    this.pipeline = new SpanPipeline(options.spanProcessors, options.spanLimits)
    this.quietDbCalls = options.quietDbCalls
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`
    let tracer = this.tracers.get(key)
    if (tracer === undefined) {
      tracer = new OtelkitTracer(this, { name, version, schemaUrl: options?.schemaUrl })
      this.tracers.set(key, tracer)
    }
    return tracer
  }

  /** The API's non-recording span of the invalid context (suppressed tracing). */
  nonRecording(): Span {
    this.nonRecordingSpan ??= trace.wrapSpanContext(INVALID_SPAN_CONTEXT)
    return this.nonRecordingSpan
  }

  forceFlush(): Promise<void> {
    return this.pipeline.forceFlush()
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.pipeline.shutdown()
  }
}
