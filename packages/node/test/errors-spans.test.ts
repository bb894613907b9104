/**
 * The error-tracking feature inside a real tracer and meter provider: failed server and client
 * spans are counted in `otelkit.errors`, grouped, and marked with category and fingerprint.
 */
import { type Attributes, type Counter, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config/resolve.js'
import { type ErrorsTrackingHandle, errorsFeature } from '../src/errors-tracking/index.js'
import type { SdkContext } from '../src/sdk/context.js'
import { spanCollector } from './support/span-collector.js'

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const reader = new TestReader()
const meterProvider = new MeterProvider({ readers: [reader] })
const collector = spanCollector()
const ended = collector.ended
const shutdownHooks: (() => void | Promise<void>)[] = []
const processors: SpanProcessor[] = []
const meter = meterProvider.getMeter('@otelkit/node')
const ctx: SdkContext = {
  config: resolveConfig({
    serviceName: 'errors-spans-test',
    tracesExporter: ['none'],
    metricsExporter: ['none'],
  }),
  meterProvider,
  meter,
  telemetryDropped: meter.createCounter('otelkit.telemetry.dropped') as Counter,
  addSpanProcessor: (p) => processors.push(p),
  onShutdown: (hook) => shutdownHooks.push(hook),
}
const feature = errorsFeature({
  classifyError: (e) => (e.message.startsWith('payment declined') ? 'client' : undefined),
})
feature.install(ctx)
const handle = feature.handle as ErrorsTrackingHandle
const tracerProvider = new TracerProvider({ spanProcessors: [...processors, collector] })
const tracer = tracerProvider.getTracer('test')

afterAll(async () => {
  for (const hook of shutdownHooks) await hook()
  await tracerProvider.shutdown()
  await meterProvider.shutdown()
})

async function errorCounts(): Promise<{ attributes: Attributes; value: number }[]> {
  const { resourceMetrics } = await reader.collect()
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'otelkit.errors')
  if (metric === undefined || metric.dataPointType !== DataPointType.SUM) return []
  return metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value as number }))
}

async function countOf(match: Attributes): Promise<number> {
  const points = await errorCounts()
  return points
    .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + p.value, 0)
}

function lastSpan(name: string): ReadableSpan {
  const span = ended.filter((s) => s.name === name).at(-1)
  if (span === undefined) throw new Error(`no span ${name}`)
  return span
}

/** A server span as the HTTP instrumentation ends it, optionally with a handler error recorded. */
function serverRequest(route: string, status: number, error?: Error): ReadableSpan {
  const span = tracer.startSpan(`GET ${route}`, {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET' },
  })
  if (error) span.recordException(error)
  span.setAttribute('http.response.status_code', status)
  span.setAttribute('http.route', route)
  if (status >= 500) {
    span.setAttribute('error.type', String(status))
    span.setStatus({ code: SpanStatusCode.ERROR })
  }
  span.end()
  return lastSpan(`GET ${route}`)
}

class NotFoundError extends Error {
  override name = 'NotFoundError'
}

function lookUp(id: number): Error {
  return new NotFoundError(`product ${id} not found`)
}

describe('server spans', () => {
  it('counts a 500 as server with http.route, and marks the span and an exception event', async () => {
    const before = await countOf({ 'error.category': 'server', 'http.route': '/fail' })
    const span = serverRequest('/fail', 500)
    expect(await countOf({ 'error.category': 'server', 'error.type': '500', 'http.route': '/fail' })).toBe(
      before + 1,
    )
    const fp = span.attributes['otelkit.error.fingerprint']
    expect(span.attributes['error.category']).toBe('server')
    expect(fp).toMatch(/^[0-9a-f]{16}$/)
    const event = span.events.find((e) => e.name === 'exception')
    expect(event?.attributes).toMatchObject({
      'exception.type': '500',
      'error.category': 'server',
      'otelkit.error.fingerprint': fp,
    })
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: `server error 500 [${fp}]` })
  })

  it('counts a 404 as client without making the span an error', async () => {
    const before = await countOf({ 'error.category': 'client', 'error.type': '404' })
    const span = serverRequest('/products/:id', 404)
    expect(await countOf({ 'error.category': 'client', 'error.type': '404' })).toBe(before + 1)
    expect(span.attributes['error.category']).toBe('client')
    expect(span.status.code).toBe(SpanStatusCode.UNSET)
    expect(span.events).toEqual([])
  })

  it('does not count successful requests', async () => {
    const before = await errorCounts()
    serverRequest('/products', 200)
    expect(await errorCounts()).toEqual(before)
    expect(lastSpan('GET /products').attributes['error.category']).toBeUndefined()
  })

  it('groups one bug across requests: same fingerprint, one group, its count', async () => {
    const a = serverRequest('/products/:id', 500, lookUp(17))
    const b = serverRequest('/products/:id', 500, lookUp(90210))
    const fp = a.attributes['otelkit.error.fingerprint'] as string
    expect(b.attributes['otelkit.error.fingerprint']).toBe(fp)
    const event = a.events.find((e) => e.name === 'exception')
    expect(event?.attributes?.['exception.type']).toBe('NotFoundError')
    expect(event?.attributes?.['otelkit.error.fingerprint']).toBe(fp)
    const group = handle.tracker.groups.list().find((g) => g.fingerprint === fp)
    expect(group).toMatchObject({
      type: 'NotFoundError',
      category: 'server',
      count: 2,
      message: 'product 90210 not found',
      route: '/products/:id',
      lastTraceId: b.spanContext().traceId,
    })
    expect(group?.stack).toContain('lookUp')
  })

  it('lets the classifier decide first', async () => {
    const before = await countOf({ 'error.category': 'client', 'http.route': '/orders' })
    const span = serverRequest('/orders', 500, new Error('payment declined for order 7'))
    expect(span.attributes['error.category']).toBe('client')
    expect(await countOf({ 'error.category': 'client', 'http.route': '/orders' })).toBe(before + 1)
  })
})

describe('client spans with real PostgreSQL errors', () => {
  let client: pg.Client
  beforeAll(async () => {
    client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' })
    await client.connect()
  })
  afterAll(async () => {
    await client.end()
  })

  /** A client span as the pg instrumentation ends a failed query. */
  async function query(sql: string): Promise<ReadableSpan> {
    const span = tracer.startSpan('pg.query', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': sql },
    })
    try {
      await client.query(sql)
    } catch (error) {
      span.recordException(error as Error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
    }
    span.end()
    return lastSpan('pg.query')
  }

  it('counts a query_canceled (57014) as timeout and a data exception as validation', async () => {
    await client.query('SET statement_timeout = 50')
    const slow = await query('SELECT pg_sleep(1)')
    await client.query('SET statement_timeout = 0')
    expect(slow.attributes['error.category']).toBe('timeout')
    expect(await countOf({ 'error.category': 'timeout', 'error.type': '57014' })).toBe(1)

    const divide = await query('SELECT 1/0')
    expect(divide.attributes['error.category']).toBe('validation')
    expect(await countOf({ 'error.category': 'validation', 'error.type': '22012' })).toBe(1)
    // status message set by the instrumentation is kept
    expect(divide.status.message).toBe('division by zero')
  })

  it('counts other failed queries as dependency and leaves successful ones alone', async () => {
    const before = await countOf({ 'error.category': 'dependency' })
    const missing = await query('SELECT * FROM otelkit_no_such_table')
    expect(missing.attributes['error.category']).toBe('dependency')
    expect(await countOf({ 'error.category': 'dependency' })).toBe(before + 1)
    const ok = await query('SELECT 1')
    expect(ok.attributes['error.category']).toBe(undefined)
  })
})

describe('expected failures', () => {
  it('ignores the CLIENT SETINFO handshake error of Redis servers before 7.2', async () => {
    const before = await errorCounts()
    const span = tracer.startSpan('client', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': 'redis', 'db.statement': 'client SETINFO lib-name ioredis' },
    })
    const error = new Error("ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.")
    error.name = 'ReplyError'
    span.recordException(error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    span.end()
    expect(await errorCounts()).toEqual(before)
    expect(lastSpan('client').attributes['error.category']).toBeUndefined()
  })
})

describe('internal spans', () => {
  it('are not counted: the server or client span around them is', async () => {
    const before = await errorCounts()
    const span = tracer.startSpan('middleware', { kind: SpanKind.INTERNAL })
    span.setStatus({ code: SpanStatusCode.ERROR })
    span.end()
    expect(await errorCounts()).toEqual(before)
  })
})
