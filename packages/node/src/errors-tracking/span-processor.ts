/**
 * Finds failures in ending spans: server spans that answered 4xx/5xx or ended in error, and
 * client spans (database, Redis, outgoing HTTP) that ended in error. It runs in `onEnding`, while
 * the span can still be changed, so the span and its `exception` event carry `error.category`
 * and `otelkit.error.fingerprint` for trace search. It sees every span, sampled or not.
 */
import { type Attributes, type AttributeValue, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace'
import { isRejectedClientInfo } from '../instrumentations/redis-client-info.js'
import { rateLimitedLogger } from '../logger.js'
import type { ErrorTracker, Tracked } from './tracker.js'
import type { ErrorDescription, ErrorSource } from './types.js'

export const ATTR_ERROR_CATEGORY = 'error.category'
export const ATTR_ERROR_FINGERPRINT = 'otelkit.error.fingerprint'

const warn = rateLimitedLogger()

function str(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined
}

function sourceOf(kind: SpanKind): ErrorSource | undefined {
  if (kind === SpanKind.SERVER || kind === SpanKind.CONSUMER) return 'server'
  if (kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER) return 'client'
  return undefined
}

function lastException(span: Span): TimedEvent | undefined {
  for (let i = span.events.length - 1; i >= 0; i--) {
    const event = span.events[i]
    if (event?.name === 'exception') return event
  }
  return undefined
}

function statusCodeOf(attributes: Attributes): number | undefined {
  const v = attributes['http.response.status_code'] ?? attributes['http.status_code']
  const n = typeof v === 'string' ? Number(v) : v
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined
}

export class ErrorSpanProcessor implements SpanProcessor {
  private readonly tracker: ErrorTracker

  constructor(tracker: ErrorTracker) {
    this.tracker = tracker
  }

  onStart(): void {}

  onEnding(span: Span): void {
    try {
      this.inspect(span)
    } catch (error) {
      warn(
        'warn',
        'errors-span',
        `error tracking skipped a span: ${(error as Error)?.message ?? String(error)}`,
      )
    }
  }

  private inspect(span: Span): void {
    const source = sourceOf(span.kind)
    if (source === undefined) return
    const attributes = span.attributes
    const statusCode = statusCodeOf(attributes)
    const failed =
      span.status.code === SpanStatusCode.ERROR ||
      (source === 'server' && statusCode !== undefined && statusCode >= 400)
    if (!failed) return
    const exception = lastException(span)
    const ex = exception?.attributes ?? {}
    const exceptionType = str(ex['exception.type'])
    const route = str(attributes['http.route'])
    const type =
      exceptionType ??
      str(attributes['error.type']) ??
      (statusCode !== undefined ? String(statusCode) : '_OTHER')
    const code = str(attributes['db.response.status_code']) ?? exceptionType ?? str(attributes['error.type'])
    const message = str(ex['exception.message']) ?? span.status.message ?? ''
    if (source === 'client' && isRejectedClientInfo(attributes, message)) return
    const description: ErrorDescription = {
      source,
      type,
      message,
      code,
      statusCode,
      route,
      stack: str(ex['exception.stacktrace']),
      attributes,
    }
    // Without a message of its own, a failure is grouped by what failed: method and route for a
    // server span, the span name (e.g. `SELECT shop`, `GET`) for a client span.
    const method = str(attributes['http.request.method']) ?? ''
    const groupBy = message !== '' ? undefined : source === 'server' ? `${method} ${route ?? ''}` : span.name
    const tracked = this.tracker.record(description, span.spanContext().traceId, groupBy)
    this.annotate(span, exception, tracked, statusCode, source)
  }

  private annotate(
    span: Span,
    exception: TimedEvent | undefined,
    tracked: Tracked,
    statusCode: number | undefined,
    source: ErrorSource,
  ): void {
    span.setAttribute(ATTR_ERROR_CATEGORY, tracked.category)
    span.setAttribute(ATTR_ERROR_FINGERPRINT, tracked.fingerprint)
    const isError = span.status.code === SpanStatusCode.ERROR
    // A 4xx answer is not a span error (semantic conventions): attributes only.
    if (!isError) return
    const marks = { [ATTR_ERROR_CATEGORY]: tracked.category, [ATTR_ERROR_FINGERPRINT]: tracked.fingerprint }
    if (exception !== undefined) {
      // The event is still part of a span that has not ended; adding to its attributes is the
      // only way to mark an event recorded by an instrumentation.
      ;(exception as { attributes?: Attributes }).attributes = { ...exception.attributes, ...marks }
    } else {
      span.addEvent('exception', {
        'exception.type': tracked.type,
        'exception.message':
          source === 'server' && statusCode !== undefined
            ? `HTTP ${statusCode}`
            : (span.status.message ?? span.name),
        ...marks,
      })
    }
    if (span.status.message === undefined || span.status.message === '') {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${tracked.category} error ${tracked.type} [${tracked.fingerprint}]`,
      })
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
