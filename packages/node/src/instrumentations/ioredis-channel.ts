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
import type { QuietDbCalls } from '../trace/quiet-calls.js'
import { OwnedAttributesOptions } from '../trace/span.js'
import { OtelkitTracer } from '../trace/tracer.js'
import { guardedHandlers } from './guarded.js'

const SPAN = Symbol('otelkit.ioredis.span')
/** A quiet command's recorder, its caller's context and its start (performance.now()). */
const QUIET = Symbol('otelkit.ioredis.quiet')
const QUIET_PARENT = Symbol('otelkit.ioredis.quietParent')
const QUIET_START = Symbol('otelkit.ioredis.quietStart')

interface CommandContext {
  command: string
  args?: string[]
  database?: number
  serverAddress?: string
  serverPort?: number
  error?: Error
  [SPAN]?: Span
  [QUIET]?: QuietDbCalls
  [QUIET_PARENT]?: Context
  [QUIET_START]?: number
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
      ctx[QUIET] = quiet
      ctx[QUIET_PARENT] = active
      ctx[QUIET_START] = performance.now()
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
    const quiet = ctx[QUIET]
    const t = tracer
    if (quiet === undefined || t === undefined) return
    ctx[QUIET] = undefined
    const endedAt = performance.now()
    const startedAt = ctx[QUIET_START] as number
    const error = ctx.error
    if (error === undefined) {
      quiet.recordSucceeded('redis', redisCommandName(ctx.command), undefined, undefined, endedAt - startedAt)
      return
    }
    // A failed command makes its span after all, with its own start and end.
    endCommandSpan(startCommandSpan(t, ctx, ctx[QUIET_PARENT] as Context, startedAt), error, endedAt)
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
