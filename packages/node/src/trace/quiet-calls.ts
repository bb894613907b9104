/**
 * Database calls that make no span. A call of otelkit's own pg or ioredis instrumentation whose span
 * would be recorded but not sampled, in a process whose span processors are all otelkit's own, is
 * only ever read to record its duration: an unsampled span is not exported, and error tracking and
 * privacy read only failed spans. Such a call records its duration directly, with the labels its
 * span would have given it, and makes a span only when it fails or is slow (the slow-query log
 * names the span): then the span is made afterwards, with the call's own start and end, and goes
 * through every processor as any span does.
 */
import { performance } from 'node:perf_hooks'
import type { Context, Span } from '@opentelemetry/api'

/** Records the database calls that made no span (the client span processor, which counts spans). */
export interface QuietDbCalls {
  /** Whether a call under `parent` may make no span: not when it is inside another database span. */
  acceptsParent(parent: Span): boolean
  /**
   * Records a call that succeeded, as its span would have been counted: `operation` and
   * `collection` as the span's labels would be (for SQL, read from the statement, as the
   * statement's keyword and first table), `sqlStatement` (normalised) for the query log. Answers
   * false, recording nothing, when the call needs its span after all (a slow query).
   */
  recordSucceeded(
    system: string,
    operation: string | undefined,
    collection: string | undefined,
    sqlStatement: string | undefined,
    durationMs: number,
  ): boolean
}

/** A call that made no span: where it is counted, the context it was called in, when it began. */
export class QuietCall {
  readonly calls: QuietDbCalls
  /** The context the call was made in: the parent of its span, if it makes one late. */
  readonly parent: Context
  /** performance.now() when the call was made (its late span's start). */
  readonly startedAt: number

  constructor(calls: QuietDbCalls, parent: Context) {
    this.calls = calls
    this.parent = parent
    this.startedAt = performance.now()
  }
}
