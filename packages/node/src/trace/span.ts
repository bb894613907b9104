/**
 * otelkit's span: the API's `Span` and the SDK's `ReadableSpan` in one fixed-shape object, so
 * every span processor (otelkit's and the SDK's) reads it as it reads an SDK span. What makes it
 * cheaper than the SDK's: start attributes copied in one pass without per-value allocation,
 * timestamps from one clock read, no per-span SDK self-metrics, processors called from an array.
 * Semantics follow the SDK's span: limits, dropped counts, events, links, exceptions, status
 * rules, the warnings on use after end.
 */
// The module's `performance`, not the global one: the global is an accessor, a getter call per read.
import { performance } from 'node:perf_hooks'
import {
  type Attributes,
  type AttributeValue,
  type Context,
  diag,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanAttributes,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
} from '@opentelemetry/api'
import {
  cleanAttributes,
  cleanSimpleAttributes,
  hrTimeDuration,
  type InstrumentationScope,
} from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { TimedEvent } from '@opentelemetry/sdk-trace'
import { ADD_NEW, addAttribute, DROP_INVALID, DROP_LIMIT } from './attributes.js'
import { isHrTime, msToHrTime, perfToEpochMs, timeInputToMs } from './clock.js'
import type { SpanPipeline } from './pipeline.js'
import {
  addEachLink,
  eventAttributes,
  eventTime,
  exceptionEventAttributes,
  reportSecondEnd,
  setEachAttribute,
  statusReplaces,
} from './span-api.js'

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET }) as SpanStatus
const NOT_ENDED: HrTime = Object.freeze([0, 0]) as unknown as HrTime
const NO_DURATION: HrTime = Object.freeze([-1, -1]) as unknown as HrTime
/** The events and links of a span that has none: shared, frozen; the first one added makes its own. */
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[]
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[]

/**
 * Span options whose `attributes` object was made for this span alone and holds only strings,
 * numbers and booleans (otelkit's own instrumentations): the span adopts the object instead of
 * copying it, when no length limit applies and the count is within the limit.
 */
export class OwnedAttributesOptions implements SpanOptions {
  readonly kind: SpanKind
  readonly attributes: Attributes
  /** The start, when the span is made after its operation began (trace/quiet-calls.ts). */
  readonly startTime: TimeInput | undefined

  constructor(kind: SpanKind, attributes: Attributes, startTime?: TimeInput) {
    this.kind = kind
    this.attributes = attributes
    this.startTime = startTime
  }
}

/**
 * Where the bytes of a span's ids are: a pool of ids.ts (never overwritten) and an offset. The OTLP
 * encoder copies them instead of converting the hex ids back.
 */
export interface SpanIdBytes {
  /** The trace id's pool, when otelkit drew it, or undefined. */
  readonly traceIdPool: DataView | undefined
  readonly traceIdAt: number
  /** The span id's pool (otelkit draws every span id). */
  readonly spanIdPool: DataView
  readonly spanIdAt: number
  /** The parent span id's pool, when the parent is a span of otelkit's, or undefined. */
  readonly parentIdPool: DataView | undefined
  readonly parentIdAt: number
}

/** What a tracer hands a span it starts (the span copies what it keeps, not this object). */
export interface SpanStart extends SpanIdBytes {
  readonly pipeline: SpanPipeline
  readonly resource: Resource
  readonly scope: InstrumentationScope
  readonly spanContext: SpanContext
  readonly parentSpanContext: SpanContext | undefined
  readonly name: string
  readonly kind: SpanKind
  readonly attributes: Attributes | undefined
  /** `attributes` may be adopted (see OwnedAttributesOptions). */
  readonly owned: boolean
  readonly links: Link[] | undefined
  readonly startTime: TimeInput | undefined
}

/**
 * What a span keeps while it is in flight is small: no object per time (`startTime`, `endTime`
 * and `duration` are made from epoch milliseconds when read; the OTLP encoder reads the
 * milliseconds), no empty events or links arrays, the bytes of its ids as fields of its own.
 */
export class OtelkitSpan implements Span, SpanIdBytes {
  name: string
  readonly kind: SpanKind
  readonly parentSpanContext: SpanContext | undefined
  readonly attributes: Attributes
  links: Link[]
  events: TimedEvent[] = NO_EVENTS
  status: SpanStatus = UNSET_STATUS
  ended = false
  readonly resource: Resource
  readonly instrumentationScope: InstrumentationScope
  droppedAttributesCount = 0
  droppedEventsCount = 0
  droppedLinksCount = 0
  readonly traceIdPool: DataView | undefined
  readonly traceIdAt: number
  readonly spanIdPool: DataView
  readonly spanIdAt: number
  readonly parentIdPool: DataView | undefined
  readonly parentIdAt: number
  /** Epoch milliseconds of the start (`startTime` is made from it unless `startHr` is set). */
  readonly startMs: number
  /** Epoch milliseconds of the end, NaN until the span ends. */
  endMs = Number.NaN
  /**
   * The start as an HrTime, set by the span: as the caller gave it (kept exactly: a double of
   * milliseconds would round it), or once `startTime` was read; undefined until then.
   */
  startHr: HrTime | undefined = undefined
  /** The end as an HrTime, set by the span: as given, as corrected to the start, or once read. */
  endHr: HrTime | undefined = undefined
  private readonly _spanContext: SpanContext
  private readonly pipeline: SpanPipeline
  private attributesCount = 0
  /** performance.now() at start, or NaN when the caller gave the start time. */
  private readonly startPerf: number
  /** `duration` once read. */
  private durationHr: HrTime | undefined = undefined

  constructor(start: SpanStart, parentContext: Context) {
    const pipeline = start.pipeline
    this.pipeline = pipeline
    this._spanContext = start.spanContext
    this.traceIdPool = start.traceIdPool
    this.traceIdAt = start.traceIdAt
    this.spanIdPool = start.spanIdPool
    this.spanIdAt = start.spanIdAt
    this.parentIdPool = start.parentIdPool
    this.parentIdAt = start.parentIdAt
    this.name = start.name
    this.kind = start.kind
    this.parentSpanContext = start.parentSpanContext
    this.resource = start.resource
    this.instrumentationScope = start.scope
    const given = start.startTime
    if (given === undefined) {
      this.startPerf = performance.now()
      this.startMs = perfToEpochMs(this.startPerf)
    } else {
      this.startPerf = Number.NaN
      if (isHrTime(given)) {
        this.startHr = [given[0], given[1]]
        this.startMs = given[0] * 1000 + given[1] / 1e6
      } else this.startMs = timeInputToMs(given) ?? Date.now()
    }
    const limits = pipeline.limits
    const source = start.attributes
    if (source === undefined || source === null || typeof source !== 'object') this.attributes = {}
    else if (start.owned && limits.attributeValueLengthLimit === Number.POSITIVE_INFINITY) {
      // Adopted only as the SDK would have kept it: no undefined value (exporters would write
      // the key with an empty value), within the count limit.
      let count = 0
      let complete = true
      for (const key in source) {
        if (source[key] === undefined) complete = false
        else count++
      }
      if (complete && count <= limits.attributeCountLimit) {
        this.attributes = source
        this.attributesCount = count
      } else this.attributes = this.copyAttributes(source)
    } else this.attributes = this.copyAttributes(source)
    const links = start.links
    if (links === undefined || links.length === 0) this.links = NO_LINKS
    else {
      const linkLimit = limits.linkCountLimit
      const kept = links.length > linkLimit ? links.slice(links.length - linkLimit) : links
      this.droppedLinksCount = links.length - kept.length
      this.links = kept.map((link) => this.limitedLink(link))
    }
    pipeline.onStart(this, parentContext)
  }

  spanContext(): SpanContext {
    return this._spanContext
  }

  get startTime(): HrTime {
    if (this.startHr === undefined) this.startHr = msToHrTime(this.startMs)
    return this.startHr
  }

  get endTime(): HrTime {
    if (Number.isNaN(this.endMs)) return NOT_ENDED
    if (this.endHr === undefined) this.endHr = msToHrTime(this.endMs)
    return this.endHr
  }

  get duration(): HrTime {
    if (Number.isNaN(this.endMs)) return NO_DURATION
    if (this.durationHr === undefined) this.durationHr = hrTimeDuration(this.startTime, this.endTime)
    return this.durationHr
  }

  setAttribute(key: string, value: SpanAttributes[string] | AttributeValue): this {
    if (this.ended) return this.afterEnd()
    const decision = addAttribute(this.attributes, this.attributesCount, key, value, this.pipeline.limits)
    if (decision === ADD_NEW) this.attributesCount++
    else if (decision === DROP_LIMIT) {
      this.droppedAttributesCount++
      if (this.droppedAttributesCount === 1) diag.warn('Dropping extra attributes.')
    }
    return this
  }

  setAttributes(attributes: SpanAttributes): this {
    return setEachAttribute(this, attributes)
  }

  addEvent(name: string, attributesOrStartTime?: SpanAttributes | TimeInput, timeStamp?: TimeInput): this {
    if (this.ended) return this.afterEnd()
    const limits = this.pipeline.limits
    const eventLimit = limits.eventCountLimit
    if (eventLimit === 0) {
      diag.warn('No events allowed.')
      this.droppedEventsCount++
      return this
    }
    if (this.events === NO_EVENTS) this.events = []
    else if (this.events.length >= eventLimit) {
      if (this.droppedEventsCount === 0) diag.debug('Dropping extra events.')
      this.events.shift()
      this.droppedEventsCount++
    }
    const cleaned = cleanSimpleAttributes(eventAttributes(attributesOrStartTime), {
      attributeCountLimit: limits.attributePerEventCountLimit,
      attributeValueLengthLimit: limits.attributeValueLengthLimit,
    })
    const time = this.timeOf(eventTime(attributesOrStartTime, timeStamp))
    this.events.push({ name, time, ...cleaned } as TimedEvent)
    return this
  }

  addLink(link: Link): this {
    if (this.ended) return this.afterEnd()
    const linkLimit = this.pipeline.limits.linkCountLimit
    if (linkLimit === 0) {
      this.droppedLinksCount++
      return this
    }
    if (this.links === NO_LINKS) this.links = []
    else if (this.links.length >= linkLimit) {
      if (this.droppedLinksCount === 0) diag.debug('Dropping extra links.')
      this.links.shift()
      this.droppedLinksCount++
    }
    this.links.push(this.limitedLink(link))
    return this
  }

  addLinks(links: Link[]): this {
    return addEachLink(this, links)
  }

  setStatus(status: SpanStatus): this {
    if (this.ended) return this.afterEnd()
    if (!statusReplaces(this.status, status)) return this
    const next: SpanStatus = { code: status.code }
    if (status.code === SpanStatusCode.ERROR) {
      if (typeof status.message === 'string') next.message = status.message
      else if (status.message != null) {
        diag.warn(`Dropping invalid status.message of type '${typeof status.message}', expected 'string'`)
      }
    }
    this.status = next
    return this
  }

  updateName(name: string): this {
    if (this.ended) return this.afterEnd()
    this.name = name
    return this
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      reportSecondEnd(this.name, this._spanContext)
      return
    }
    let before: boolean
    if (isHrTime(endTime)) {
      const end: HrTime = [endTime[0], endTime[1]]
      this.endHr = end
      this.endMs = end[0] * 1000 + end[1] / 1e6
      before = hrTimeDuration(this.startTime, end)[0] < 0
    } else {
      this.endMs = this.timeMs(endTime)
      before = this.endMs < this.startMs
    }
    if (before) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.')
      this.endHr = [this.startTime[0], this.startTime[1]]
      this.endMs = this.startMs
    }
    if (this.droppedEventsCount > 0) {
      diag.warn(`Dropped ${this.droppedEventsCount} events because eventCountLimit reached`)
    }
    if (this.droppedLinksCount > 0) {
      diag.warn(`Dropped ${this.droppedLinksCount} links because linkCountLimit reached`)
    }
    this.pipeline.onEnding(this)
    this.ended = true
    this.pipeline.onEnd(this)
  }

  isRecording(): boolean {
    return !this.ended
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes = exceptionEventAttributes(exception)
    if (attributes !== undefined) this.addEvent('exception', attributes, time)
    else diag.warn(`Failed to record an exception ${exception}`)
  }

  /** A copy of `source` within the limits, counting what was dropped. */
  private copyAttributes(source: Attributes): Attributes {
    const attributes: Attributes = {}
    const limits = this.pipeline.limits
    let count = 0
    let dropped = 0
    for (const key in source) {
      const decision = addAttribute(attributes, count, key, source[key], limits)
      if (decision === ADD_NEW) count++
      else if (decision === DROP_LIMIT || decision === DROP_INVALID) dropped++
    }
    this.attributesCount = count
    this.droppedAttributesCount = dropped
    return attributes
  }

  /** Epoch ms of an end or event time: the monotonic clock from the start unless one is given. */
  private timeMs(input: TimeInput | undefined): number {
    const given = input === undefined ? undefined : timeInputToMs(input)
    if (given !== undefined) return given
    if (Number.isNaN(this.startPerf)) return Date.now()
    return this.startMs + (performance.now() - this.startPerf)
  }

  private timeOf(input: TimeInput | undefined): HrTime {
    return isHrTime(input) ? [input[0], input[1]] : msToHrTime(this.timeMs(input))
  }

  private limitedLink(link: Link): Link {
    const limits = this.pipeline.limits
    const cleaned = cleanAttributes(link.attributes, {
      attributeCountLimit: limits.attributePerLinkCountLimit,
      attributeValueLengthLimit: limits.attributeValueLengthLimit,
    })
    return { context: link.context, ...cleaned } as Link
  }

  private afterEnd(): this {
    const { traceId, spanId } = this._spanContext
    diag.warn(
      `Cannot execute the operation on ended Span {traceId: ${traceId}, spanId: ${spanId}}`,
      new Error(`Operation attempted on ended Span {traceId: ${traceId}, spanId: ${spanId}}`),
    )
    return this
  }
}
