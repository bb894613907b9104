/**
 * otelkit's ioredis 6 instrumentation against a real redis-server, both ways commands reach it:
 * from ioredis's own `traceCommand` (ioredis-trace-command.ts) and through the `ioredis:command`
 * tracing channel (when the tracing module cannot be patched). Either way: one CLIENT span per
 * command under its caller, with the semantic-convention attributes and no value, and a failure
 * on its span. Patched: the statement from the command's raw arguments by otelkit's Redis policy,
 * pipelines, the command's own promise returned while nobody else listens on the channel,
 * another subscriber still served with ioredis's sanitised arguments and no command traced
 * twice, and ioredis's own functions put back on unpatching.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disableIoredisChannel, enableIoredisChannel } from '../src/instrumentations/ioredis-channel.js'
import {
  othersSubscribed,
  patchIoredisTracing,
  unpatchIoredisTracing,
} from '../src/instrumentations/ioredis-trace-command.js'
import { startTestRedis, type TestRedis } from './support/redis-server.js'
import { otelkitProvider, spanCollector } from './support/span-collector.js'

const require = createRequire(import.meta.url)
/** The tracing module of the ioredis this test imports (the same module object Redis.js reads). */
const tracingExports = require(join(dirname(require.resolve('ioredis')), 'tracing.js')) as Record<
  string,
  unknown
>
const ownTraceCommand = tracingExports.traceCommand
const ownSanitizeArgs = tracingExports.sanitizeArgs

const collector = spanCollector()
const tracer = otelkitProvider({ spanProcessors: [collector] }).getTracer('test')
const contextManager = new AsyncLocalStorageContextManager()
let server: TestRedis
let redis: Redis

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable())
  server = await startTestRedis()
  redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
  await redis.connect()
})

afterAll(async () => {
  redis?.disconnect()
  await server?.kill()
  context.disable()
})

/** The spans of commands named `name`, ended since `from`. */
function spansNamed(name: string, from: number) {
  return collector.ended.slice(from).filter((s) => s.name === name)
}

const modes = [
  {
    name: "ioredis's traceCommand, patched",
    on() {
      enableIoredisChannel(tracer)
      expect(patchIoredisTracing(tracingExports)).toBe(true)
    },
    off() {
      unpatchIoredisTracing(tracingExports)
      disableIoredisChannel()
    },
  },
  {
    name: 'the ioredis:command channel',
    on: () => enableIoredisChannel(tracer),
    off: disableIoredisChannel,
  },
]

describe.each(modes)('$name', (mode) => {
  beforeAll(mode.on)
  afterAll(mode.off)

  it('makes a client span per command, under the caller, with the key and no value', async () => {
    const from = collector.ended.length
    const parent: Span = tracer.startSpan('request')
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await redis.set('user:42', 'secret-value')
      expect(await redis.get('user:42')).toBe('secret-value')
    })
    parent.end()
    const [set] = spansNamed('set', from)
    const [get] = spansNamed('get', from)
    expect(set?.kind).toBe(SpanKind.CLIENT)
    expect(set?.attributes).toEqual({
      'db.system.name': 'redis',
      'db.operation.name': 'SET',
      'db.namespace': '0',
      'db.query.text': 'SET user:42 ?',
      'server.address': '127.0.0.1',
      'server.port': server.port,
    })
    expect(get?.attributes['db.query.text']).toBe('GET user:42')
    for (const span of [set, get]) {
      expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
      expect(span?.spanContext().traceId).toBe(parent.spanContext().traceId)
      expect(span?.status.code).toBe(SpanStatusCode.UNSET)
    }
  })

  it("records a failed command's error on its span, and the caller still gets the error", async () => {
    const from = collector.ended.length
    await redis.set('counter:text', 'not-a-number')
    const error = await redis.incr('counter:text').then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(error?.name).toBe('ReplyError')
    const [incr] = spansNamed('incr', from)
    expect(incr?.status).toEqual({ code: SpanStatusCode.ERROR, message: error?.message })
    expect(incr?.attributes['error.type']).toBe('ReplyError')
    expect(incr?.events.map((e) => e.name)).toEqual(['exception'])
  })
})

describe("ioredis's traceCommand, patched", () => {
  beforeAll(modes[0]!.on)
  afterAll(modes[0]!.off)

  it('takes the statement from the raw arguments, a key and no value, and ends the span before the caller goes on', async () => {
    const from = collector.ended.length
    let endedWhenAnswered = -1
    await redis.hset('profile:42', 'email', 'someone@example.com')
    expect(await redis.hget('profile:42', 'email')).toBe('someone@example.com')
    endedWhenAnswered = spansNamed('hget', from).length
    expect(endedWhenAnswered).toBe(1)
    // ioredis's own sanitising hides HGET's key too; otelkit's policy shows keys, never values.
    expect(spansNamed('hget', from)[0]?.attributes['db.query.text']).toBe('HGET profile:42 ?')
    expect(spansNamed('hset', from)[0]?.attributes['db.query.text']).toBe('HSET profile:42 ? ?')
    expect(collector.ended.slice(from).map((s) => s.name)).toEqual(['hset', 'hget'])
  })

  it.each([
    ['alone', false],
    ['beside another subscriber', true],
  ])("traces a pipeline's commands one by one, ended when exec answers (%s)", async (_, beside) => {
    const other = { end: () => {} }
    const channel = diagnosticsChannel.tracingChannel('ioredis:command')
    if (beside) channel.subscribe(other as never)
    try {
      const from = collector.ended.length
      const results = await redis.pipeline().set('pipe:1', 'a').get('pipe:1').exec()
      expect(results).toEqual([
        [null, 'OK'],
        [null, 'a'],
      ])
      expect(spansNamed('set', from).map((s) => s.attributes['db.query.text'])).toEqual(['SET pipe:1 ?'])
      expect(spansNamed('get', from).map((s) => s.attributes['db.query.text'])).toEqual(['GET pipe:1'])
    } finally {
      if (beside) channel.unsubscribe(other as never)
    }
  })

  it("serves another subscriber of the channel with ioredis's events and sanitised arguments, tracing once", async () => {
    const seen: Array<{ event: string; command: string; args: unknown }> = []
    const subscriber = {
      start: (m: unknown) => {
        const message = m as { command: string; args: unknown }
        seen.push({ event: 'start', command: message.command, args: message.args })
      },
      asyncStart: (m: unknown) => {
        const message = m as { command: string; args: unknown }
        seen.push({ event: 'asyncStart', command: message.command, args: message.args })
      },
    }
    const channel = diagnosticsChannel.tracingChannel('ioredis:command')
    channel.subscribe(subscriber as never)
    const from = collector.ended.length
    try {
      expect(await redis.hget('profile:42', 'email')).toBe('someone@example.com')
    } finally {
      channel.unsubscribe(subscriber as never)
    }
    expect(seen).toEqual([
      { event: 'start', command: 'hget', args: ['?', '?'] },
      { event: 'asyncStart', command: 'hget', args: ['?', '?'] },
    ])
    const hget = spansNamed('hget', from)
    expect(hget).toHaveLength(1)
    expect(hget[0]?.attributes['db.query.text']).toBe('HGET profile:42 ?')
  })

  it("returns the command's own promise, with no wrapper, when nobody else listens on the channel", async () => {
    expect(othersSubscribed()).toBe(false)
    const traceCommand = tracingExports.traceCommand as (
      fn: () => Promise<unknown>,
      contextFactory: () => object,
    ) => Promise<unknown>
    const own = Promise.resolve('reply')
    const from = collector.ended.length
    expect(
      traceCommand(
        () => own,
        () => ({ command: 'ping', args: [] }),
      ),
    ).toBe(own)
    await own
    await new Promise((resolve) => setImmediate(resolve))
    expect(spansNamed('ping', from)).toHaveLength(1)
    const subscriber = { end: () => {} }
    diagnosticsChannel.tracingChannel('ioredis:command').subscribe(subscriber as never)
    try {
      expect(othersSubscribed()).toBe(true)
    } finally {
      diagnosticsChannel.tracingChannel('ioredis:command').unsubscribe(subscriber as never)
    }
    expect(othersSubscribed()).toBe(false)
  })

  it("makes no span under suppressed tracing; unpatched, ioredis's own functions are back and the channel traces", async () => {
    const { suppressTracing } = await import('@opentelemetry/core')
    const from = collector.ended.length
    await context.with(suppressTracing(context.active()), () => redis.get('user:42'))
    expect(spansNamed('get', from)).toHaveLength(0)

    expect(tracingExports.traceCommand).not.toBe(ownTraceCommand)
    unpatchIoredisTracing(tracingExports)
    try {
      expect(tracingExports.traceCommand).toBe(ownTraceCommand)
      expect(tracingExports.sanitizeArgs).toBe(ownSanitizeArgs)
      expect(await redis.hget('profile:42', 'email')).toBe('someone@example.com')
      // Through the channel: ioredis's sanitised arguments, one span.
      expect(spansNamed('hget', from).map((s) => s.attributes['db.query.text'])).toEqual(['HGET ? ?'])
    } finally {
      expect(patchIoredisTracing(tracingExports)).toBe(true)
    }
  })

  it('leaves a tracing module without the expected functions alone', () => {
    const unexpected: Record<string, unknown> = { traceCommand: () => undefined }
    expect(patchIoredisTracing(unexpected)).toBe(false)
    expect(Object.keys(unexpected)).toEqual(['traceCommand'])
    const frozen = Object.freeze({ traceCommand: ownTraceCommand, sanitizeArgs: ownSanitizeArgs })
    expect(patchIoredisTracing(frozen)).toBe(false)
  })
})
