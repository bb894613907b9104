/**
 * Requests that are not sampled, with otelkit's own processors only (trace/quiet-span.ts): an
 * unsampled request makes no span object, yet its metrics are exact and its context reads as a
 * span's (the same trace in outgoing node:http calls, whose headers carry it); an unsampled request that fails is recorded
 * afterwards, so error tracking counts it exactly as it counts a sampled one, with the exception
 * the framework recorded, the route and the trace id the handler saw.
 */
import http from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { context, type Span, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api'
import { suppressTracing } from '@opentelemetry/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSdk, shutdown, start } from '../src/index.js'
import { QuietSpan } from '../src/trace/quiet-span.js'
import { OtelkitSpan } from '../src/trace/span.js'
import { waitFor } from './support/eventually.js'
import { PACKAGE_DIR, sdkMetrics, seriesValue, startService } from './support/service.js'

const TOKEN = 'quiet-server-spans-debug-token-0123'
const SAMPLED_PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

interface ExpressApp {
  get(path: string, handler: (req: unknown, res: { json(body: unknown): void }) => void): void
  listen(port: number, host: string, done: () => void): http.Server
}

interface ErrorGroupJson {
  type: string
  message: string
  route: string | undefined
  count: number
  lastTraceId: string | undefined
  category: string
}

describe('unsampled requests, with otelkit’s processors only', () => {
  let sdk: RunningSdk
  let app: http.Server
  let downstream: http.Server
  let base: string
  /** The active span each handler saw, by the request's `x-probe` header. */
  const seen = new Map<string, Span | undefined>()
  /** The traceparent header of each outgoing call, by the probe that made it. */
  const propagated = new Map<string, string | undefined>()
  /** The span attributes error tracking classified each failure with, by its message. */
  const classified = new Map<string, Record<string, unknown>>()

  beforeAll(async () => {
    sdk = start({
      serviceName: 'quiet-server-spans',
      tracesExporter: ['none'],
      metricsExporter: ['prometheus'],
      sampler: 'parentbased_always_off',
      opsPort: 0,
      debugToken: TOKEN,
      metricsCacheMs: 0,
      classifyError: (failure) => {
        classified.set(failure.message, { ...failure.attributes })
        return undefined
      },
    })
    downstream = http.createServer((req, res) => {
      propagated.set(String(req.headers['x-probe']), req.headers.traceparent as string | undefined)
      res.end('ok')
    })
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve))
    const downstreamPort = (downstream.address() as AddressInfo).port
    const express = createRequire(join(PACKAGE_DIR, 'package.json'))('express') as () => ExpressApp
    const routes = express()
    routes.get('/orders/:id', (req, res) => {
      const probe = String((req as { headers: Record<string, string> }).headers['x-probe'])
      const span = trace.getActiveSpan()
      seen.set(probe, span)
      span?.setAttribute('app.tenant', 'acme')
      const id = (req as { params: { id: string } }).params.id
      if (id === 'bad') throw new RangeError('order bad is out of range')
      if (id === 'flagged') {
        // Answers 200, but the handler marks its span failed.
        span?.setStatus({ code: SpanStatusCode.ERROR, message: 'order flagged by review' })
        res.json({ ok: false })
        return
      }
      http.get({ port: downstreamPort, host: '127.0.0.1', headers: { 'x-probe': probe } }, (down) => {
        down.resume()
        down.on('end', () => res.json({ ok: true }))
      })
    })
    app = routes.listen(0, '127.0.0.1', () => {})
    await new Promise<void>((resolve) => (app.listening ? resolve() : app.once('listening', resolve)))
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
    await waitFor('the ops server to listen', () => sdk.opsPort() !== undefined)
  })
  afterAll(async () => {
    app?.close()
    downstream?.close()
    await shutdown()
  })

  async function get(path: string, probe: string, traceparent?: string): Promise<number> {
    const headers: Record<string, string> = { 'x-probe': probe }
    if (traceparent !== undefined) headers.traceparent = traceparent
    // Outside tracing: the client instrumentation would replace the traceparent header.
    const res = await context.with(suppressTracing(context.active()), () =>
      fetch(`${base}${path}`, { headers }),
    )
    await res.arrayBuffer()
    return res.status
  }
  const scrape = () => sdkMetrics(sdk)
  async function errorGroups(): Promise<ErrorGroupJson[]> {
    const res = await fetch(`http://127.0.0.1:${sdk.opsPort()}/debug/errors`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    return ((await res.json()) as { groups: ErrorGroupJson[] }).groups
  }
  const requests = (text: string, status: string) =>
    seriesValue(text, 'http_server_request_duration_seconds_count', [
      'http_route="/orders/:id"',
      `http_response_status_code="${status}"`,
    ])

  it('makes no span object, counts every request, and propagates its trace as a span would', async () => {
    const before = await scrape()
    for (let i = 0; i < 5; i++) expect(await get('/orders/7', `unsampled-${i}`)).toBe(200)
    expect(await get('/orders/7', 'sampled', SAMPLED_PARENT)).toBe(200)
    const after = await scrape()
    expect(requests(after, '200') - requests(before, '200')).toBe(6)

    const sampled = seen.get('sampled')
    expect(sampled).toBeInstanceOf(OtelkitSpan)
    expect(sampled?.spanContext().traceFlags).toBe(TraceFlags.SAMPLED)
    for (let i = 0; i < 5; i++) {
      const span = seen.get(`unsampled-${i}`)
      expect(span).toBeInstanceOf(QuietSpan)
      expect(span).not.toBeInstanceOf(OtelkitSpan)
      const { traceId, spanId, traceFlags } = span?.spanContext() ?? {}
      expect(traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(traceFlags).toBe(TraceFlags.NONE)
      // The outgoing call carries the request's trace, unsampled, under its own client span.
      const [, callTrace, callParent, callFlags] = (propagated.get(`unsampled-${i}`) ?? '').split('-')
      expect(callTrace).toBe(traceId)
      expect(callFlags).toBe('00')
      expect(callParent).toMatch(/^[0-9a-f]{16}$/)
      expect(callParent).not.toBe(spanId)
      // Closed once the request ended: it no longer records.
      expect(span?.isRecording()).toBe(false)
    }
    expect(new Set([...seen.values()].map((s) => s?.spanContext().traceId)).size).toBe(seen.size)
  })

  it('records a failed request afterwards: error tracking counts it as it counts a sampled one', async () => {
    const before = await scrape()
    expect(await get('/orders/bad', 'failed-unsampled')).toBe(500)
    const failure = async () => (await errorGroups()).find((g) => g.type === 'RangeError')
    expect(seen.get('failed-unsampled')).toBeInstanceOf(QuietSpan)
    const unsampled = await failure()
    expect(unsampled).toMatchObject({
      message: 'order bad is out of range',
      route: '/orders/:id',
      count: 1,
      lastTraceId: seen.get('failed-unsampled')?.spanContext().traceId,
    })

    expect(await get('/orders/bad', 'failed-sampled', SAMPLED_PARENT)).toBe(500)
    expect(seen.get('failed-sampled')).toBeInstanceOf(OtelkitSpan)
    // The same group (type, route, message), counted once more, with the same category.
    const both = await failure()
    expect(both).toMatchObject({
      message: 'order bad is out of range',
      route: '/orders/:id',
      count: 2,
      category: unsampled?.category,
      lastTraceId: '0af7651916cd43dd8448eb211c80319c',
    })

    // The late span has the request's start attributes and what the handler set on the quiet span.
    expect(classified.get('order bad is out of range')).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/orders/bad',
      'http.route': '/orders/:id',
      'http.response.status_code': 500,
      'client.address': '127.0.0.1',
      'app.tenant': 'acme',
    })

    const after = await scrape()
    expect(requests(after, '500') - requests(before, '500')).toBe(2)
    const errors = (text: string) => seriesValue(text, 'otelkit_errors_total', ['error_type="RangeError"'])
    expect(errors(after) - errors(before)).toBe(2)
  })
  it('records an unsampled request that answered 200 when its span was set to error', async () => {
    expect(await get('/orders/flagged', 'flagged-unsampled')).toBe(200)
    expect(seen.get('flagged-unsampled')).toBeInstanceOf(QuietSpan)
    const group = (await errorGroups()).find((g) => g.message === 'order flagged by review')
    expect(group).toMatchObject({ route: '/orders/:id', count: 1 })
    expect(group?.lastTraceId).toBe(seen.get('flagged-unsampled')?.spanContext().traceId)
    expect(classified.get('order flagged by review')).toMatchObject({ 'http.response.status_code': 200 })
  })
})

describe('the sockets of a service', () => {
  it('keep as many hidden classes with otelkit as without, sampled requests or not', async () => {
    const shapesAfterLoad = async (preload: 'import' | 'none') => {
      const service = await startService({
        fixture: 'socket-shapes-app.mjs',
        preload,
        nodeArgs: ['--allow-natives-syntax'],
        env: { OTEL_TRACES_SAMPLER: 'parentbased_always_off' },
      })
      // Four keep-alive connections: sampled requests first, unsampled only, unsampled then
      // sampled, and a mix; the client address of a sampled one is read, of the others not.
      const plans = [
        [true, false, false],
        [false, false, false],
        [false, false, true],
        [true, false, true],
      ]
      try {
        await Promise.all(
          plans.map(async (plan) => {
            const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
            for (const sampled of plan) {
              await new Promise<void>((resolve, reject) => {
                const headers = sampled ? { traceparent: SAMPLED_PARENT } : {}
                http
                  .get(service.url('/work'), { agent, headers }, (res) => res.resume().on('end', resolve))
                  .on('error', reject)
              })
            }
          }),
        )
        return (await (await service.get('/__shapes')).json()) as { sockets: number; shapes: number }
      } finally {
        await service.stop()
      }
    }
    const bare = await shapesAfterLoad('none')
    const instrumented = await shapesAfterLoad('import')
    expect(bare.sockets).toBe(4)
    expect(instrumented.sockets).toBe(4)
    expect(instrumented.shapes).toBe(bare.shapes)
  })
})
