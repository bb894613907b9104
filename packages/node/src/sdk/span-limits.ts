/**
 * Holds span events to the configured limits after otelkit's own processors have run. The
 * tracer provider applies the limits to everything set through the span API; error tracking and
 * privacy scrubbing replace an exception event's attributes in place (the only way to change an
 * event an instrumentation recorded), which the provider cannot see. This processor runs last
 * before export (`onEnding`): an event with more attributes than `attributePerEventCountLimit`
 * keeps its first ones and counts the rest in its `droppedAttributesCount`; a string longer than
 * `attributeValueLengthLimit` is cut. Spans without events cost one property read.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api'
import type { Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace'
import type { SpanLimitsConfig } from '../config/resolved.js'

export class SpanLimitsProcessor implements SpanProcessor {
  private readonly countLimit: number
  private readonly lengthLimit: number

  constructor(limits: SpanLimitsConfig) {
    this.countLimit = limits.attributePerEventCountLimit
    this.lengthLimit = limits.attributeValueLengthLimit
  }

  onStart(): void {}

  onEnding(span: Span): void {
    const events = span.events
    if (events.length === 0) return
    for (const event of events) if (event.attributes) this.limitEvent(event)
  }

  private limitEvent(event: TimedEvent): void {
    const attributes = event.attributes as Attributes
    let kept: Attributes | undefined
    let count = 0
    let dropped = 0
    for (const key in attributes) {
      const value = attributes[key]
      if (count >= this.countLimit) {
        kept ??= copyBefore(attributes, key)
        dropped++
        continue
      }
      count++
      const cut = truncate(value, this.lengthLimit)
      if (cut !== value) kept ??= copyBefore(attributes, key)
      if (kept) kept[key] = cut
    }
    if (!kept) return
    const mutable = event as { attributes?: Attributes; droppedAttributesCount?: number }
    mutable.attributes = kept
    if (dropped > 0) mutable.droppedAttributesCount = (event.droppedAttributesCount ?? 0) + dropped
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** A copy of the attributes set before `stop` (insertion order). */
function copyBefore(attributes: Attributes, stop: string): Attributes {
  const out: Attributes = {}
  for (const key in attributes) {
    if (key === stop) break
    out[key] = attributes[key]
  }
  return out
}

function truncate(value: AttributeValue | undefined, limit: number): AttributeValue | undefined {
  if (typeof value === 'string') return value.length > limit ? value.slice(0, limit) : value
  if (Array.isArray(value) && value.some((v) => typeof v === 'string' && v.length > limit)) {
    return value.map((v) =>
      typeof v === 'string' && v.length > limit ? v.slice(0, limit) : v,
    ) as AttributeValue
  }
  return value
}
