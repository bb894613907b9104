/**
 * otelkit's ioredis instrumentation on ioredis's own `ioredis:command` tracing channel, against a
 * real redis-server: a CLIENT span per command with the semantic-convention attributes and a
 * statement without values, under the caller's span, and a failed command's span carrying the
 * error (the channel's `error` event is not subscribed: the failure is read at `asyncStart`).
 */
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disableIoredisChannel, enableIoredisChannel } from '../src/instrumentations/ioredis-channel.js'
import { startTestRedis, type TestRedis } from './support/redis-server.js'
import { otelkitProvider, spanCollector } from './support/span-collector.js'

const collector = spanCollector()
const tracer = otelkitProvider({ spanProcessors: [collector] }).getTracer('test')
const contextManager = new AsyncLocalStorageContextManager()
let server: TestRedis
let redis: Redis

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable())
  server = await startTestRedis()
  enableIoredisChannel(tracer)
  redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
  await redis.connect()
})

afterAll(async () => {
  redis?.disconnect()
  disableIoredisChannel()
  await server?.kill()
  context.disable()
})

/** The spans of commands named `name`, ended since `from`. */
function spansNamed(name: string, from: number) {
  return collector.ended.slice(from).filter((s) => s.name === name)
}

describe('ioredis tracing channel', () => {
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

  it("records a failed command's error on its span", async () => {
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
    expect(incr?.events[0]?.attributes?.['exception.type']).toBe('ReplyError')
  })
})
