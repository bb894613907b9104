/**
 * Scrubs database error text from spans while they can still be changed (`onEnding`), before any
 * other processor (metrics, error tracking, export) reads them. On a database client span (any
 * span with `db.system.name` or `db.system`) the status message and each exception event's
 * message and stack head lose their quoted strings and numbers; on any other span (a server span
 * the same error was recorded on) a message already seen as a database error is scrubbed the
 * same way. Spans with no event and no status message cost two property reads.
 */
import { type Attributes, SpanStatusCode } from '@opentelemetry/api'
import type { Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace'
import { knownDbError, rememberDbError, scrubStackHead } from './db-errors.js'

function isDbSpan(attributes: Attributes): boolean {
  return attributes['db.system.name'] !== undefined || attributes['db.system'] !== undefined
}

export class PrivacySpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    const events = span.events
    const statusMessage = span.status.message
    if (events.length === 0 && !statusMessage) return
    const db = isDbSpan(span.attributes)
    const scrub = db ? rememberDbError : knownDbError
    if (statusMessage && span.status.code === SpanStatusCode.ERROR) {
      const scrubbed = scrub(statusMessage)
      if (scrubbed !== undefined && scrubbed !== statusMessage) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: scrubbed })
      }
    }
    for (const event of events) {
      if (event.name === 'exception') scrubException(event, scrub)
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

function scrubException(event: TimedEvent, scrub: (message: string) => string | undefined): void {
  const attributes = event.attributes
  const message = attributes?.['exception.message']
  if (typeof message !== 'string') return
  const scrubbed = scrub(message)
  if (scrubbed === undefined || scrubbed === message) return
  const stack = attributes?.['exception.stacktrace']
  // The event belongs to a span that has not ended: replacing its attributes is the only way to
  // change an event an instrumentation recorded.
  ;(event as { attributes?: Attributes }).attributes = {
    ...attributes,
    'exception.message': scrubbed,
    ...(typeof stack === 'string' ? { 'exception.stacktrace': scrubStackHead(stack) } : {}),
  }
}
