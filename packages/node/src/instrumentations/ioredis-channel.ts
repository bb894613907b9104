/**
 * ioredis 6+ instrumentation on its own `ioredis:command` tracing channel (no patching, no
 * instrumentation framework): a CLIENT span per command with the semantic-convention attributes
 * and a statement of the command and its keys only (privacy/redis.ts: ioredis's own sanitising
 * keeps EVAL arguments and others). Only `start` and `asyncStart` are subscribed (a failure's
 * error is on the message by then): the channel does not publish the other events at all.
 * ioredis older than 6 has no channel and keeps the upstream instrumentation (see catalog.ts).
 * An unsampled command makes no span where otelkit's processors allow it (trace/quiet-calls.ts):
 * it is counted, and makes its span afterwards only when it fails.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import { type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import { isTracingSuppressed } from '@opentelemetry/core'
import { redisCommandName, redisStatement } from '../privacy/redis.js'
import { QuietCall } from '../trace/quiet-calls.js'
import { OwnedAttributesOptions } from '../trace/span.js'
import { OtelkitTracer } from '../trace/tracer.js'
import { guardedHandlers } from './guarded.js'

const SPAN = Symbol('otelkit.ioredis.span')
/** A command that made no span (trace/quiet-calls.ts). */
const QUIET = Symbol('otelkit.ioredis.quiet')

interface CommandContext {
  command: string
  args?: string[]
  database?: number
  serverAddress?: string
  serverPort?: number
  error?: Error
  [SPAN]?: Span
  [QUIET]?: QuietCall
}

/** The command's span under `parent`; `startTime` (performance.now() milliseconds) when made late. */
function startCommandSpan(t: Tracer, ctx: CommandContext, parent: Context, startTime?: number): Span {
  return t.startSpan(
    ctx.command,
    new OwnedAttributesOptions(
      SpanKind.CLIENT,
      {
        'db.system.name': 'redis',
        'db.operation.name': redisCommandName(ctx.command),
        'db.namespace': String(ctx.database ?? 0),
        'db.query.text': redisStatement(ctx.command, ctx.args),
        'server.address': ctx.serverAddress,
        'server.port': ctx.serverPort,
      },
      startTime,
    ),
    parent,
  )
}

/** Ends a command's span, with the command's error if it failed. */
function endCommandSpan(span: Span, error: Error | undefined, endTime?: number): void {
  if (error !== undefined) {
    span.recordException(error, endTime)
    span.setAttribute('error.type', error.name || 'Error')
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
  }
  span.end(endTime)
}

let tracer: Tracer | undefined

const handlers = guardedHandlers('ioredis', {
  start(message: unknown) {
    const t = tracer
    if (t === undefined) return
    const active = context.active()
    if (isTracingSuppressed(active)) return
    const ctx = message as CommandContext
    const quiet = t instanceof OtelkitTracer ? t.quietDbCalls(active) : undefined
    if (quiet !== undefined) {
      ctx[QUIET] = new QuietCall(quiet, active)
      return
    }
    ctx[SPAN] = startCommandSpan(t, ctx, active)
  },
  asyncStart(message: unknown) {
    const ctx = message as CommandContext
    const span = ctx[SPAN]
    if (span !== undefined) {
      ctx[SPAN] = undefined
      endCommandSpan(span, ctx.error)
      return
    }
    const call = ctx[QUIET]
    const t = tracer
    if (call === undefined || t === undefined) return
    ctx[QUIET] = undefined
    const endedAt = performance.now()
    const error = ctx.error
    if (error === undefined) {
      const durationMs = endedAt - call.startedAt
      call.calls.recordSucceeded('redis', redisCommandName(ctx.command), undefined, undefined, durationMs)
      return
    }
    // A failed command makes its span after all, with its own start and end.
    endCommandSpan(startCommandSpan(t, ctx, call.parent, call.startedAt), error, endedAt)
  },
})

// Node subscribes the handlers given and skips the others; its types want all five.
export function enableIoredisChannel(t: Tracer): void {
  if (tracer === undefined) diagnosticsChannel.tracingChannel('ioredis:command').subscribe(handlers as never)
  tracer = t
}

export function disableIoredisChannel(): void {
  if (tracer === undefined) return
  diagnosticsChannel.tracingChannel('ioredis:command').unsubscribe(handlers as never)
  tracer = undefined
}
