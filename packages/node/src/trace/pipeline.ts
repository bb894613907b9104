/**
 * The span processors of a tracer provider, called in order from plain arrays (no
 * MultiSpanProcessor indirection), each guarded: a processor that throws is logged once a minute
 * and never reaches the instrumented code. Each hook is read once, here, not per span (a named
 * load from five processor classes is megamorphic), and a hook with an empty body (`onStart() {}`,
 * most processors' `onStart`) is not called at all. Holds the span limits every span applies.
 */
import type { Context } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace'
import type { SpanLimitsConfig } from '../config/resolved.js'
import { rateLimitedLogger } from '../logger.js'

/**
 * Whether `hook` is a function whose body is empty, so calling it does nothing: a method or
 * function with an empty block and a parameter list without default values (`onStart() {}`,
 * `onEnd(_span) {}`). Native and bound functions, arrows and anything else are called.
 */
export function isEmptyHook(hook: unknown): boolean {
  if (typeof hook !== 'function') return false
  return /^(?:async\s+)?(?:function\b\s*)?[\w$]*\s*\([\w$\s,]*\)\s*\{\s*\}$/.test(
    Function.prototype.toString.call(hook),
  )
}

/** The processors having a hook that does something, and that hook, in the same order. */
interface Hooks<F> {
  readonly targets: readonly SpanProcessor[]
  readonly fns: readonly F[]
}

function hooksOf<F>(processors: readonly SpanProcessor[], pick: (p: SpanProcessor) => unknown): Hooks<F> {
  const targets: SpanProcessor[] = []
  const fns: F[] = []
  for (const processor of processors) {
    const fn = pick(processor)
    if (typeof fn === 'function' && !isEmptyHook(fn)) {
      targets.push(processor)
      fns.push(fn as F)
    }
  }
  return { targets, fns }
}

type StartHook = (this: SpanProcessor, span: Span, parentContext: Context) => void
type EndingHook = (this: SpanProcessor, span: Span) => void
type EndHook = (this: SpanProcessor, span: ReadableSpan) => void

export class SpanPipeline {
  readonly limits: SpanLimitsConfig
  private readonly processors: readonly SpanProcessor[]
  private readonly starts: Hooks<StartHook>
  private readonly endings: Hooks<EndingHook>
  private readonly ends: Hooks<EndHook>
  private readonly logFailure = rateLimitedLogger(60_000)

  constructor(processors: readonly SpanProcessor[], limits: SpanLimitsConfig) {
    this.processors = processors
    this.starts = hooksOf(processors, (p) => p.onStart)
    this.endings = hooksOf(processors, (p) => p.onEnding)
    this.ends = hooksOf(processors, (p) => p.onEnd)
    this.limits = limits
  }

  onStart(span: Span, parentContext: Context): void {
    const { targets, fns } = this.starts
    for (let i = 0; i < fns.length; i++) {
      try {
        fns[i]!.call(targets[i]!, span, parentContext)
      } catch (error) {
        this.failed('onStart', error)
      }
    }
  }

  onEnding(span: Span): void {
    const { targets, fns } = this.endings
    for (let i = 0; i < fns.length; i++) {
      try {
        fns[i]!.call(targets[i]!, span)
      } catch (error) {
        this.failed('onEnding', error)
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    const { targets, fns } = this.ends
    for (let i = 0; i < fns.length; i++) {
      try {
        fns[i]!.call(targets[i]!, span)
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
