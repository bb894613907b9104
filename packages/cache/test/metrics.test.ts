/**
 * Metrics and spans: an SDK MeterProvider (and TracerProvider) registered globally, a scripted
 * sequence of hits, misses, stale serves, errors and evictions, then exact values from a collect.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheResponses } from '../src/http/node.js'
import { createCache } from '../src/index.js'
import { installMeterProvider, pointValue, readPoints, type TestReader } from './support/metrics.js'
import { cleanPrefix, eventually, freePort, randomPrefix, sharedRedis } from './support/redis.js'

let reader: TestReader
const spans = new InMemorySpanExporter()
const redis = sharedRedis()
const prefix = randomPrefix('metrics')

beforeAll(() => {
  reader = installMeterProvider()
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
  )
})
afterAll(async () => {
  await cleanPrefix(redis, prefix)
  redis.disconnect()
})

const points = (name: string) => readPoints(reader, name)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('metrics', () => {
  it('counts hits, misses and stale serves per tier, loader calls, operations, errors and evictions exactly', async () => {
    const withL1 = createCache({
      name: 'metrics',
      prefix,
      redis,
      commandTimeout: '2s',
      l1: true,
      logger: { warn() {} },
    })
    const noL1 = createCache({ name: 'metrics', prefix, redis, commandTimeout: '2s', logger: { warn() {} } })
    await Promise.all([withL1.ready(), noL1.ready()])
    const loader = async () => ({ v: 1 })

    await withL1.getOrSet('k1', loader) // miss l2 (GET), loader, SET
    await withL1.getOrSet('k1', loader) // hit l1
    await noL1.get('k1') // hit l2 (GET)
    await noL1.get('k1') // hit l2 (GET)
    await noL1.getOrSet('s', loader, { ttl: 20, staleTtl: '10s', jitter: 0 }) // miss l2 (GET), loader, SET
    await sleep(50)
    await noL1.getOrSet('s', loader, { ttl: 20, staleTtl: '10s', jitter: 0 }) // stale l2 (GET), refresh: loader, SET
    await noL1.get('absent') // miss l2 (GET)
    await eventually(
      async () =>
        pointValue(await points('otelkit.cache.loader.duration'), { 'cache.name': 'metrics' }) !== undefined,
    )
    await eventually(async () => {
      const l = pointValue(await points('otelkit.cache.loader.duration'), { 'cache.name': 'metrics' }) as {
        count: number
      }
      return l.count === 3
    })

    const requests = await points('otelkit.cache.requests')
    const r = (result: string, tier: string) =>
      pointValue(requests, { 'cache.name': 'metrics', 'cache.result': result, 'cache.tier': tier })
    expect(r('hit', 'l1')).toBe(1)
    expect(r('hit', 'l2')).toBe(2)
    expect(r('miss', 'l2')).toBe(3)
    expect(r('stale', 'l2')).toBe(1)
    expect(r('miss', 'l1')).toBeUndefined()

    const ops = await points('otelkit.cache.operation.duration')
    expect(
      (pointValue(ops, { 'cache.name': 'metrics', 'cache.operation': 'get' }) as { count: number }).count,
    ).toBe(6)
    await eventually(async () => {
      const set = pointValue(await points('otelkit.cache.operation.duration'), {
        'cache.name': 'metrics',
        'cache.operation': 'set',
      })
      return (set as { count: number } | undefined)?.count === 3
    })

    // errors: a cache whose Redis is unreachable counts each skipped call, and never throws
    const down = new Redis({
      port: await freePort(),
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    })
    down.on('error', () => {})
    const failing = createCache({ name: 'metrics-down', redis: down, logger: { warn() {} } })
    expect(await failing.getOrSet('x', async () => 'fallback')).toBe('fallback')
    expect(await failing.get('x')).toBeUndefined()
    const errors = await points('otelkit.cache.errors')
    // three skipped commands: the GET and the SET of getOrSet, the GET of get
    expect(pointValue(errors, { 'cache.name': 'metrics-down', 'error.type': 'connection' })).toBe(3)

    // evictions and size of L1
    const small = createCache({ name: 'metrics-l1', l1: { maxEntries: 2 } })
    for (let i = 0; i < 5; i++) await small.set(`e${i}`, i)
    expect(pointValue(await points('otelkit.cache.evictions'), { 'cache.name': 'metrics-l1' })).toBe(3)
    const size = await points('otelkit.cache.size')
    expect(pointValue(size, { 'cache.name': 'metrics-l1', 'cache.size.kind': 'entries' })).toBe(2)
    expect(pointValue(size, { 'cache.name': 'metrics-l1', 'cache.size.kind': 'bytes' })).toBeGreaterThan(0)

    // oversized values are counted, not stored
    const tiny = createCache({ name: 'metrics-big', maxValueBytes: 64, logger: { warn() {} } })
    await tiny.set('big', 'x'.repeat(100))
    expect(
      pointValue(await points('otelkit.cache.writes.skipped'), {
        'cache.name': 'metrics-big',
        reason: 'too_large',
      }),
    ).toBe(1)

    // no key ever appears as an attribute value
    const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics }
    const allAttrs = JSON.stringify(
      resourceMetrics.scopeMetrics.flatMap((s) =>
        s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes)),
      ),
    )
    for (const key of ['k1', 'absent', prefix, 'e0']) expect(allAttrs.includes(key)).toBe(false)

    await Promise.all([withL1.close(), noL1.close(), failing.close()])
    down.disconnect()
  })

  it('counts HTTP-layer results per route', async () => {
    const cache = createCache({
      name: 'metrics-http',
      prefix,
      redis,
      commandTimeout: '2s',
      logger: { warn() {} },
    })
    await cache.ready()
    const step = cacheResponses(cache, { ttl: '1m', route: '/products' })
    const server = http.createServer((req, res) => step(req, res, () => res.end('ok')))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/products?x=${Date.now()}`
    const get = (headers?: Record<string, string>) =>
      new Promise<void>((resolve) =>
        http.get(url, { headers, agent: false }, (res) => {
          res.resume()
          res.on('end', () => resolve())
        }),
      )
    await get()
    await get()
    await get()
    await get({ authorization: 'Bearer x' })
    const list = await points('otelkit.cache.http.requests')
    const v = (result: string) =>
      pointValue(list, { 'cache.name': 'metrics-http', 'http.route': '/products', 'cache.result': result })
    expect(v('miss')).toBe(1)
    expect(v('hit')).toBe(2)
    expect(v('bypass')).toBe(1)
    await new Promise((r) => server.close(r))
    await cache.close()
  })

  it("counts and warns (once per interval) about responses past their route's maxVariants", async () => {
    const warnings: string[] = []
    const cache = createCache({
      name: 'metrics-variants',
      prefix,
      redis,
      commandTimeout: '2s',
      logger: { warn: (m) => warnings.push(m) },
    })
    await cache.ready()
    const step = cacheResponses(cache, { ttl: '1m', route: '/search', maxVariants: 2 })
    const server = http.createServer((req, res) => step(req, res, () => res.end('ok')))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/search`
    const get = (query: string) =>
      new Promise<string | undefined>((resolve) =>
        http.get(`${base}?${query}`, { agent: false }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.headers['x-cache'] as string | undefined))
        }),
      )
    const seen: Array<string | undefined> = []
    for (const q of ['q=1', 'q=2']) {
      seen.push(await get(q))
      await eventually(async () => (await get(q)) === 'HIT')
    }
    for (const q of ['q=3', 'q=4', 'q=5']) seen.push(await get(q))
    seen.push(await get('q=1'))
    expect(seen).toEqual(['MISS', 'MISS', 'BYPASS', 'BYPASS', 'BYPASS', 'HIT'])
    const skipped = await points('otelkit.cache.writes.skipped')
    expect(
      pointValue(skipped, {
        'cache.name': 'metrics-variants',
        reason: 'too_many_variants',
        'http.route': '/search',
      }),
    ).toBe(3)
    const variantWarnings = warnings.filter((w) => w.includes('maxVariants'))
    expect(variantWarnings).toHaveLength(1)
    expect(variantWarnings[0]).toContain('route "/search"')
    await new Promise((r) => server.close(r))
    await cache.close()
  })

  it('creates spans for getOrSet, get (L2) and loads only inside an active trace', async () => {
    const cache = createCache({
      name: 'metrics-spans',
      prefix,
      redis,
      commandTimeout: '2s',
      logger: { warn() {} },
    })
    await cache.ready()
    spans.reset()
    await cache.getOrSet('no-trace', async () => 1)
    expect(spans.getFinishedSpans()).toHaveLength(0)
    const tracer = trace.getTracer('test')
    await tracer.startActiveSpan('request', async (parent) => {
      await cache.getOrSet('traced', async () => 2)
      await cache.get('traced')
      parent.end()
    })
    await eventually(() => spans.getFinishedSpans().length >= 4)
    const names = spans.getFinishedSpans().map((s) => s.name)
    expect(names).toContain('cache load')
    expect(names).toContain('cache getOrSet')
    expect(names).toContain('cache get')
    expect(spans.getFinishedSpans().find((s) => s.name === 'cache get')!.attributes['cache.result']).toBe(
      'hit',
    )
    expect(names).toContain('request')
    const load = spans.getFinishedSpans().find((s) => s.name === 'cache load')!
    expect(load.attributes['cache.name']).toBe('metrics-spans')
    expect(JSON.stringify(load.attributes).includes('traced')).toBe(false)
    await cache.close()
  })
})
