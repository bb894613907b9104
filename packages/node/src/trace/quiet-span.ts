/**
 * The span of an unsampled request that no span processor reads unless it fails. An unsampled
 * span is not exported, and otelkit's own processors read an unsampled server span only when it
 * failed (error tracking, privacy): so, when every processor is otelkit's own, an instrumentation
 * that starts a request's span (http-server.ts) gets this small object instead of an
 * `OtelkitSpan`. It carries the request's real span context (ids drawn as any span's, the
 * sampled flag off), so logs, child spans and outgoing calls read the same trace as before; what
 * the API sets on it (attributes, events, exceptions, links, status, name) is kept only when set,
 * within the span limits. When the request fails, the instrumentation makes the full span
 * afterwards with the same ids, start and end (`OtelkitTracer.recordQuiet`), replays all of that
 * onto it, and it goes through every processor as any span does; a request that succeeds makes
 * no span at all, and no processor misses anything it would have read.
 */
import { performance } from 'node:perf_hooks'
import {
  type Attributes,
  type AttributeValue,
  type Context,
  diag,
  type Exception,
  type Link,
  type Span,
  type SpanAttributes,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
} from '@opentelemetry/api'
import type { SpanLimitsConfig } from '../config/resolved.js'
import type { OtelkitSpan, SpanIdBytes } from './span.js'
import {
  addEachLink,
  eventAttributes,
  eventTime,
  exceptionEventAttributes,
  pushWithin,
  reportSecondEnd,
  setEachAttribute,
  statusReplaces,
} from './span-api.js'

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET }) as SpanStatus

/** An event added to a quiet span, with its time fixed when it was added. */
interface HeldEvent {
  readonly name: string
  readonly attributes: SpanAttributes | undefined
  readonly time: TimeInput
}

/** What a tracer hands a quiet span it starts. */
export interface QuietSpanStart {
  /** Where the bytes of its ids are (the span copies the fields). */
  readonly ids: SpanIdBytes
  readonly spanContext: SpanContext
  readonly parentSpanContext: SpanContext | undefined
  readonly name: string
  readonly kind: SpanKind
  readonly limits: SpanLimitsConfig
}

export class QuietSpan implements Span, SpanIdBytes {
  name: string
  readonly kind: SpanKind
  readonly parentSpanContext: SpanContext | undefined
  /** The context it was started in: its processors' `onStart` argument when it is recorded. */
  parentContext: Context | undefined
  readonly traceIdPool: DataView | undefined
  readonly traceIdAt: number
  readonly spanIdPool: DataView
  readonly spanIdAt: number
  readonly parentIdPool: DataView | undefined
  readonly parentIdAt: number
  /** performance.now() at the start. */
  readonly startPerf: number
  /** Attributes set through the API (the instrumentation's own are made when it is recorded). */
  attributes: Attributes | undefined = undefined
  events: HeldEvent[] | undefined = undefined
  links: Link[] | undefined = undefined
  status: SpanStatus = UNSET_STATUS
  /** What was left out to stay within the span limits, added to the recorded span's counts. */
  droppedAttributes = 0
  droppedEvents = 0
  droppedLinks = 0
  /** The end time given to `end()`, or performance.now() then; undefined while not ended. */
  endTime: TimeInput | undefined = undefined
  private readonly _spanContext: SpanContext
  private readonly limits: SpanLimitsConfig
  private attributeCount = 0
  private closed = false

  constructor(start: QuietSpanStart, parentContext: Context, startPerf: number) {
    this._spanContext = start.spanContext
    this.parentSpanContext = start.parentSpanContext
    this.parentContext = parentContext
    const ids = start.ids
    this.traceIdPool = ids.traceIdPool
    this.traceIdAt = ids.traceIdAt
    this.spanIdPool = ids.spanIdPool
    this.spanIdAt = ids.spanIdAt
    this.parentIdPool = ids.parentIdPool
    this.parentIdAt = ids.parentIdAt
    this.name = start.name
    this.kind = start.kind
    this.limits = start.limits
    this.startPerf = startPerf
  }

  spanContext(): SpanContext {
    return this._spanContext
  }

  setAttribute(key: string, value: SpanAttributes[string] | AttributeValue): this {
    if (this.closed) return this
    if (this.attributes === undefined) this.attributes = {}
    const attributes = this.attributes
    if (!Object.hasOwn(attributes, key)) {
      if (this.attributeCount >= this.limits.attributeCountLimit) {
        this.droppedAttributes++
        return this
      }
      this.attributeCount++
    }
    attributes[key] = value
    return this
  }

  setAttributes(attributes: SpanAttributes): this {
    return setEachAttribute(this, attributes)
  }

  addEvent(name: string, attributesOrStartTime?: SpanAttributes | TimeInput, timeStamp?: TimeInput): this {
    if (this.closed) return this
    if (this.events === undefined) this.events = []
    const time = eventTime(attributesOrStartTime, timeStamp) ?? performance.now()
    const event = { name, attributes: eventAttributes(attributesOrStartTime), time }
    this.droppedEvents += pushWithin(this.events, event, this.limits.eventCountLimit)
    return this
  }

  addLink(link: Link): this {
    if (this.closed) return this
    if (this.links === undefined) this.links = []
    this.droppedLinks += pushWithin(this.links, link, this.limits.linkCountLimit)
    return this
  }

  addLinks(links: Link[]): this {
    return addEachLink(this, links)
  }

  setStatus(status: SpanStatus): this {
    if (this.closed) return this
    if (statusReplaces(this.status, status)) this.status = status
    return this
  }

  updateName(name: string): this {
    if (!this.closed) this.name = name
    return this
  }

  /** Ends the span for its API users; the instrumentation that started it decides what is recorded. */
  end(endTime?: TimeInput): void {
    if (this.endTime !== undefined) {
      reportSecondEnd(this.name, this._spanContext)
      return
    }
    this.endTime = endTime ?? performance.now()
  }

  isRecording(): boolean {
    return !this.closed && this.endTime === undefined
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes = exceptionEventAttributes(exception)
    if (attributes !== undefined) this.addEvent('exception', attributes, time)
    else diag.warn(`Failed to record an exception ${exception}`)
  }

  /** Whether the API set a status of error on it (the request failed, whatever it answered). */
  failed(): boolean {
    return this.status.code === SpanStatusCode.ERROR
  }

  /** Sets on `span` (the recorded span of this one) what was set on this one. */
  replayOnto(span: OtelkitSpan): void {
    if (this.attributes !== undefined) span.setAttributes(this.attributes)
    if (this.events !== undefined) {
      for (const event of this.events) span.addEvent(event.name, event.attributes, event.time)
    }
    if (this.links !== undefined) span.addLinks(this.links)
    if (this.status !== UNSET_STATUS) span.setStatus(this.status)
    span.droppedAttributesCount += this.droppedAttributes
    span.droppedEventsCount += this.droppedEvents
    span.droppedLinksCount += this.droppedLinks
  }

  /**
   * After its request: nothing more is kept (it may stay the active span of a context that
   * outlives the request, e.g. a keep-alive connection's idle timer), its span context still
   * answers, and it no longer records.
   */
  close(): void {
    this.closed = true
    this.parentContext = undefined
    this.attributes = undefined
    this.events = undefined
    this.links = undefined
  }
}
