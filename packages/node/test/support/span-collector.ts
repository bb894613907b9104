/**
 * A span processor for in-process tests that keeps every ended span synchronously (exporters
 * run asynchronously), so a test can read `ended` right after `span.end()`.
 */
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace'

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
