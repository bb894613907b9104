/**
 * otelkit's tracer provider and tracer, implementing the `@opentelemetry/api` interfaces that
 * upstream instrumentations and user code call. A span starts with one context read for its
 * parent, ids from a pooled random buffer, the configured head-sampling decision inline, and
 * goes through the processors of one `SpanPipeline`. Suppressed tracing (otelkit's own exports)
 * gets the API's non-recording span. Every span is recorded; only sampled ones are exported. The
 * tracer also tells otelkit's own database instrumentations when a call may count itself without
 * a span (quiet-calls.ts), and starts a request's span as a quiet one when no processor would read
 * it unless it fails (quiet-span.ts), recording it afterwards when it does.
 */
import {
  type Attributes,
  type Context,
  context as contextApi,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type TimeInput,
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
import { QuietSpan } from './quiet-span.js'
import type { SamplingDecision } from './sampling.js'
import { OtelkitSpan, OwnedAttributesOptions, type SpanIdBytes, type SpanStart } from './span.js'

/** `T` with its fields writable. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] }

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
   * duration; undefined: every call makes its span. Set, it also lets an unsampled request start
   * a quiet span (quiet-span.ts).
   */
  quietDbCalls?: QuietDbCalls
}

/** Where the id bytes of `span` are, when it is one of otelkit's spans (recorded or quiet). */
function ownIds(span: Span | undefined): SpanIdBytes | undefined {
  return span instanceof OtelkitSpan || span instanceof QuietSpan ? span : undefined
}

/** The span context of `parentSpan` when a span can be its child: valid, or one of otelkit's. */
function validParentOf(parentSpan: Span | undefined): SpanContext | undefined {
  if (parentSpan === undefined) return undefined
  const candidate = parentSpan.spanContext()
  // otelkit's own spans carry valid contexts by construction: no id check for them.
  return ownIds(parentSpan) !== undefined || isSpanContextValid(candidate) ? candidate : undefined
}

/**
 * Where the id bytes of the span being started are: set by `OtelkitTracer.draw`, read right after
 * it (before anything else can start a span), so no object is made per span for them.
 */
const drawn: Mutable<SpanIdBytes> = {
  traceIdPool: undefined,
  traceIdAt: 0,
  spanIdPool: drawnPool,
  spanIdAt: 0,
  parentIdPool: undefined,
  parentIdAt: 0,
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
    const spanContext = this.draw(parentSpan, parent)
    return this.recorded(
      spanContext,
      parent,
      name,
      options.kind ?? SpanKind.INTERNAL,
      options.attributes,
      options instanceof OwnedAttributesOptions,
      options.links,
      options.startTime,
      parentContext,
    )
  }

  /**
   * The span of a request (http-server.ts) under `parentContext`, started at `startPerf`
   * (performance.now()): a `QuietSpan` when it is not sampled and the provider allows quiet spans
   * (quiet-span.ts), else a recorded span whose attributes `attributesOf(source)` makes, adopted
   * as owned ones. A quiet span that fails is recorded afterwards with `recordQuiet`.
   */
  startRequestSpan<T>(
    name: string,
    kind: SpanKind,
    parentContext: Context,
    startPerf: number,
    attributesOf: (source: T) => Attributes,
    source: T,
  ): Span {
    if (isTracingSuppressed(parentContext)) return this.provider.nonRecording()
    const parentSpan = trace.getSpan(parentContext)
    const parent = validParentOf(parentSpan)
    const spanContext = this.draw(parentSpan, parent)
    // Quiet spans under the same condition as quiet database calls: every processor otelkit's own.
    if (spanContext.traceFlags === 0 && this.provider.quietDbCalls !== undefined) {
      return new QuietSpan(
        {
          ids: drawn,
          spanContext,
          parentSpanContext: parent,
          name,
          kind,
          limits: this.provider.pipeline.limits,
        },
        parentContext,
        startPerf,
      )
    }
    const attributes = attributesOf(source)
    return this.recorded(
      spanContext,
      parent,
      name,
      kind,
      attributes,
      true,
      undefined,
      undefined,
      parentContext,
    )
  }

  /**
   * The recorded span of `quiet` (a request that failed), made after the fact with its ids,
   * parent, name, start and `attributes` (the instrumentation's, adopted as owned ones), then
   * what the API set on `quiet`. Its processors' `onStart` runs now; the caller ends it.
   */
  recordQuiet(quiet: QuietSpan, attributes: Attributes): OtelkitSpan {
    const start = this.spanStart(quiet.spanContext(), quiet.parentSpanContext, quiet, quiet.name, quiet.kind)
    start.attributes = attributes
    start.owned = true
    start.startTime = quiet.startPerf
    const span = new OtelkitSpan(start, quiet.parentContext ?? ROOT_CONTEXT)
    quiet.replayOnto(span)
    return span
  }

  /**
   * The span context of a span about to start under `parent` (its trace id, or a new one), with a
   * new span id and the sampling decision; where the bytes of its ids are is left in `drawn`.
   */
  private draw(parentSpan: Span | undefined, parent: SpanContext | undefined): SpanContext {
    let traceId: string
    drawn.traceIdPool = undefined
    drawn.traceIdAt = 0
    drawn.parentIdPool = undefined
    drawn.parentIdAt = 0
    if (parent === undefined) {
      traceId = newTraceId()
      drawn.traceIdPool = drawnPool
      drawn.traceIdAt = drawnAt
    } else {
      traceId = parent.traceId
      const own = ownIds(parentSpan)
      if (own !== undefined) {
        drawn.traceIdPool = own.traceIdPool
        drawn.traceIdAt = own.traceIdAt
        drawn.parentIdPool = own.spanIdPool
        drawn.parentIdAt = own.spanIdAt
      }
    }
    const sampled = this.provider.sample(parent, traceId)
    const spanId = newSpanId()
    drawn.spanIdPool = drawnPool
    drawn.spanIdAt = drawnAt
    return { traceId, spanId, traceFlags: sampled ? 1 : 0, traceState: parent?.traceState }
  }

  /** A recorded span of the span context `draw` just made, its id bytes where `drawn` says. */
  private recorded(
    spanContext: SpanContext,
    parent: SpanContext | undefined,
    name: string,
    kind: SpanKind,
    attributes: Attributes | undefined,
    owned: boolean,
    links: Link[] | undefined,
    startTime: TimeInput | undefined,
    parentContext: Context,
  ): OtelkitSpan {
    const start = this.spanStart(spanContext, parent, drawn, name, kind)
    start.attributes = attributes
    start.owned = owned
    start.links = links
    start.startTime = startTime
    return new OtelkitSpan(start, parentContext)
  }

  /** What a span of this tracer starts with, its attributes, links and start still to be set. */
  private spanStart(
    spanContext: SpanContext,
    parent: SpanContext | undefined,
    ids: SpanIdBytes,
    name: string,
    kind: SpanKind,
  ): Mutable<SpanStart> {
    const provider = this.provider
    return {
      pipeline: provider.pipeline,
      resource: provider.resource,
      scope: this.instrumentationScope,
      spanContext,
      parentSpanContext: parent,
      traceIdPool: ids.traceIdPool,
      traceIdAt: ids.traceIdAt,
      spanIdPool: ids.spanIdPool,
      spanIdAt: ids.spanIdAt,
      parentIdPool: ids.parentIdPool,
      parentIdAt: ids.parentIdAt,
      name,
      kind,
      attributes: undefined,
      owned: false,
      links: undefined,
      startTime: undefined,
    }
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
