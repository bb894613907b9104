/**
 * The parts of the API's `Span` that otelkit's recorded span (span.ts) and quiet span
 * (quiet-span.ts) answer alike: setting many attributes or links through the one-at-a-time
 * method, reading `addEvent`'s optional arguments, which status may replace which, the warning on
 * a second `end()`, and a list held to a limit.
 */
import {
  type Attributes,
  diag,
  type Exception,
  type Link,
  type SpanAttributes,
  type SpanContext,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
} from '@opentelemetry/api'
import { isTimeInput } from './clock.js'

/** Sets each own attribute of `attributes` through `span.setAttribute` (the API's `setAttributes`). */
export function setEachAttribute<S extends { setAttribute(key: string, value: unknown): unknown }>(
  span: S,
  attributes: SpanAttributes,
): S {
  for (const key in attributes) {
    if (Object.hasOwn(attributes, key)) span.setAttribute(key, attributes[key])
  }
  return span
}

/** Adds each link through `span.addLink` (the API's `addLinks`). */
export function addEachLink<S extends { addLink(link: Link): unknown }>(span: S, links: Link[]): S {
  for (const link of links) span.addLink(link)
  return span
}

/** The attributes of an `addEvent(name, attributesOrStartTime, timeStamp)` call, if any. */
export function eventAttributes(
  attributesOrStartTime: SpanAttributes | TimeInput | undefined,
): SpanAttributes | undefined {
  return isTimeInput(attributesOrStartTime) ? undefined : attributesOrStartTime
}

/** The time an `addEvent` call gave (the third argument wins over a time as the second), if any. */
export function eventTime(
  attributesOrStartTime: SpanAttributes | TimeInput | undefined,
  timeStamp: TimeInput | undefined,
): TimeInput | undefined {
  if (isTimeInput(timeStamp)) return timeStamp
  return isTimeInput(attributesOrStartTime) ? attributesOrStartTime : undefined
}

/** Whether `next`, set through the API, replaces `current`: UNSET never does, and OK is final. */
export function statusReplaces(current: SpanStatus, next: SpanStatus): boolean {
  return next.code !== SpanStatusCode.UNSET && current.code !== SpanStatusCode.OK
}

/** The SDK's error for a second `end()` of a span. */
export function reportSecondEnd(name: string, spanContext: SpanContext): void {
  diag.error(`${name} ${spanContext.traceId}-${spanContext.spanId} - You can only call end() on a span once.`)
}

/**
 * The attributes of the `exception` event of `exception`, as the SDK's span records it, or
 * undefined when it has neither a type nor a message (nothing is recorded then).
 */
export function exceptionEventAttributes(exception: Exception): Attributes | undefined {
  const attributes: Attributes = {}
  if (typeof exception === 'string') attributes['exception.message'] = exception
  else if (exception) {
    if (exception.code) attributes['exception.type'] = exception.code.toString()
    else if (exception.name) attributes['exception.type'] = exception.name
    if (exception.message) attributes['exception.message'] = exception.message
    if (exception.stack) attributes['exception.stacktrace'] = exception.stack
  }
  return attributes['exception.type'] || attributes['exception.message'] ? attributes : undefined
}

/**
 * Appends `item` to `list`, holding it to `limit` items by dropping the oldest; answers how many
 * items were dropped (0 or 1, or 1 with nothing kept when the limit is 0).
 */
export function pushWithin<T>(list: T[], item: T, limit: number): number {
  if (limit <= 0) return 1
  let dropped = 0
  if (list.length >= limit) {
    list.shift()
    dropped = 1
  }
  list.push(item)
  return dropped
}
