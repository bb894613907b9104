/**
 * The span processors of a tracer provider, called in order from a plain array (no
 * MultiSpanProcessor indirection), each guarded: a processor that throws is logged once a minute
 * and never reaches the instrumented code. Holds the span limits every span applies.
 */
import type { Context } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace'
import type { SpanLimitsConfig } from '../config/resolved.js'
import { rateLimitedLogger } from '../logger.js'

export class SpanPipeline {
  readonly limits: SpanLimitsConfig
  private readonly processors: readonly SpanProcessor[]
  private readonly ending: readonly SpanProcessor[]
  private readonly logFailure = rateLimitedLogger(60_000)

  constructor(processors: readonly SpanProcessor[], limits: SpanLimitsConfig) {
    this.processors = processors
    this.ending = processors.filter((p) => typeof p.onEnding === 'function')
    this.limits = limits
  }

  onStart(span: Span, parentContext: Context): void {
    const processors = this.processors
    for (let i = 0; i < processors.length; i++) {
      try {
        processors[i]!.onStart(span, parentContext)
      } catch (error) {
        this.failed('onStart', error)
      }
    }
  }

  onEnding(span: Span): void {
    const ending = this.ending
    for (let i = 0; i < ending.length; i++) {
      try {
        ending[i]!.onEnding!(span)
      } catch (error) {
        this.failed('onEnding', error)
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    const processors = this.processors
    for (let i = 0; i < processors.length; i++) {
      try {
        processors[i]!.onEnd(span)
      } catch (error) {
        this.failed('onEnd', error)
      }
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled(this.processors.map(async (p) => p.forceFlush()))
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled(this.processors.map(async (p) => p.shutdown()))
  }

  private failed(stage: string, error: unknown): void {
    this.logFailure(
      'warn',
      stage,
      `a span processor threw in ${stage}: ${(error as Error)?.message ?? String(error)}; the span goes on to the other processors`,
    )
  }
}
