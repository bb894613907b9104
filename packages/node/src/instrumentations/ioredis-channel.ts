/**
 * ioredis 6+ commands, as ioredis describes them on its `ioredis:command` tracing channel: a
 * CLIENT span per command with the semantic-convention attributes and a statement of the command
 * and its keys only (privacy/redis.ts, the policy of every Redis client: ioredis's own sanitising
 * keeps EVAL arguments and others, and hides HGET's key). Commands reach `commandStarted` and
 * `commandSettled` straight from ioredis's `traceCommand` where ioredis-trace-command.ts patched
 * it, and otherwise through the channel, subscribed here (another copy of ioredis, a tracing
 * module not as expected). Of the channel only `start` and `asyncStart` are subscribed (a
 * failure's error is on the message by then): it does not publish the other events at all.
 * ioredis older than 6 has no channel and keeps the upstream instrumentation (see catalog.ts). An
 * unsampled command makes no span where otelkit's processors allow it (trace/quiet-calls.ts): it
 * is counted, and makes its span afterwards only when it fails. A rejected CLIENT SETINFO of the
 * connection handshake is no failure: its span's failure is cleared as it ends, as for every Redis
 * client (redis-client-info.ts).
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
/** The command's arguments as the application gave them, when ioredis-trace-command.ts has them. */
export const RAW_ARGS = Symbol('otelkit.ioredis.rawArgs')
/** Set on a command traced from the patched `traceCommand`: the channel's events about it are not. */
export const TRACED_DIRECTLY = Symbol('otelkit.ioredis.tracedDirectly')

/** ioredis's description of a command (its `_buildCommandContext`), and otelkit's state of it. */
export interface CommandContext {
  command: string
  /** The arguments after ioredis's own sanitising. */
  args?: unknown[]
  database?: number
  serverAddress?: string
  serverPort?: number
  error?: Error
  [RAW_ARGS]?: unknown[]
  [TRACED_DIRECTLY]?: true
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
        'db.query.text': redisStatement(ctx.command, ctx[RAW_ARGS] ?? ctx.args),
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

/**
 * Starts tracing a command made in the active context: its span, or a quiet call. Answers whether
 * the command is traced, so `commandSettled` must see it; not under suppressed tracing.
 */
export function commandStarted(ctx: CommandContext): boolean {
  const t = tracer
  if (t === undefined) return false
  const active = context.active()
  if (isTracingSuppressed(active)) return false
  const quiet = t instanceof OtelkitTracer ? t.quietDbCalls(active) : undefined
  if (quiet !== undefined) {
    ctx[QUIET] = new QuietCall(quiet, active)
    return true
  }
  ctx[SPAN] = startCommandSpan(t, ctx, active)
  return true
}

/** Ends a started command's tracing, as failed when `ctx.error` is set. */
export function commandSettled(ctx: CommandContext): void {
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
}

const handlers = guardedHandlers('ioredis', {
  start(message: unknown) {
    const ctx = message as CommandContext
    if (ctx[TRACED_DIRECTLY] === undefined) commandStarted(ctx)
  },
  asyncStart(message: unknown) {
    const ctx = message as CommandContext
    if (ctx[TRACED_DIRECTLY] === undefined) commandSettled(ctx)
  },
})

let subscribed = false

/** Whether otelkit's handlers are subscribed to the channel. */
export function ioredisChannelSubscribed(): boolean {
  return subscribed
}

// Node subscribes the handlers given and skips the others; its types want all five.
/** Traces the commands of every ioredis 6 copy through the channel, with `t`. */
export function enableIoredisChannel(t: Tracer): void {
  if (!subscribed) diagnosticsChannel.tracingChannel('ioredis:command').subscribe(handlers as never)
  subscribed = true
  tracer = t
}

export function disableIoredisChannel(): void {
  if (subscribed) diagnosticsChannel.tracingChannel('ioredis:command').unsubscribe(handlers as never)
  subscribed = false
  tracer = undefined
}
