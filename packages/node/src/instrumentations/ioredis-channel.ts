/**
 * ioredis 6+ instrumentation on its own `ioredis:command` tracing channel (no patching, no
 * instrumentation framework): a CLIENT span per command with the semantic-convention attributes
 * and a statement of the command and its keys only (privacy/redis.ts: ioredis's own sanitising
 * keeps EVAL arguments and others). Only `start` and `asyncStart` are subscribed (a failure's
 * error is on the message by then): the channel does not publish the other events at all.
 * ioredis older than 6 has no channel and keeps the upstream instrumentation (see catalog.ts).
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import { isTracingSuppressed } from '@opentelemetry/core'
import { redisCommandName, redisStatement } from '../privacy/redis.js'
import { OwnedAttributesOptions } from '../trace/span.js'
import { guardedHandlers } from './guarded.js'

const SPAN = Symbol('otelkit.ioredis.span')

interface CommandContext {
  command: string
  args?: string[]
  database?: number
  serverAddress?: string
  serverPort?: number
  error?: Error
  [SPAN]?: Span
}

let tracer: Tracer | undefined

const handlers = guardedHandlers('ioredis', {
  start(message: unknown) {
    const t = tracer
    if (t === undefined) return
    const active = context.active()
    if (isTracingSuppressed(active)) return
    const ctx = message as CommandContext
    const span = t.startSpan(
      ctx.command,
      new OwnedAttributesOptions(SpanKind.CLIENT, {
        'db.system.name': 'redis',
        'db.operation.name': redisCommandName(ctx.command),
        'db.namespace': String(ctx.database ?? 0),
        'db.query.text': redisStatement(ctx.command, ctx.args),
        'server.address': ctx.serverAddress,
        'server.port': ctx.serverPort,
      }),
      active,
    )
    ctx[SPAN] = span
  },
  asyncStart(message: unknown) {
    const ctx = message as CommandContext
    const span = ctx[SPAN]
    if (span === undefined) return
    ctx[SPAN] = undefined
    const error = ctx.error
    if (error !== undefined) {
      span.recordException(error)
      span.setAttribute('error.type', error.name || 'Error')
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    }
    span.end()
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
