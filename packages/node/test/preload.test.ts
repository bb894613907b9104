/**
 * The preload end to end: real `--import` / `--require`, real PostgreSQL, MariaDB and Redis,
 * spans decoded from what the SDK exports over OTLP, and the /metrics text.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from './support/eventually.js'
import type { ReceivedSpan } from './support/otlp-receiver.js'
import {
  exportTo,
  PACKAGE_DIR,
  REGISTER_CJS,
  type RunningService,
  receiverForFile,
  seriesValue,
  startService,
} from './support/service.js'

const SERVER = 2
const CLIENT = 3
const receiver = receiverForFile()

function traceOf(spans: ReceivedSpan[], server: ReceivedSpan) {
  return spans.filter((s) => s.traceId === server.traceId)
}

describe.each([
  { preload: 'import' as const, fixture: 'esm-app.mjs', protocol: 'http/json' },
  { preload: 'require' as const, fixture: 'cjs-app.cjs', protocol: undefined },
])('--$preload with $fixture (OTLP $protocol)', ({ preload, fixture, protocol }) => {
  let service: RunningService
  const name = `svc-${preload}`

  beforeAll(async () => {
    service = await startService({ fixture, preload, env: exportTo(receiver, name, protocol) })
  })
  afterAll(async () => {
    await service.stop()
  })

  it('exports a complete resource from the first batch, without the command line, and logs no error', async () => {
    expect((await service.get('/orders/7')).status).toBe(200)
    await receiver.waitFor((spans) => spans.some((s) => s.service === name && s.kind === SERVER))
    const resource = (receiver.spans.find((s) => s.service === name) as ReceivedSpan).resource
    expect(resource['host.name']).toBe(hostname())
    expect(resource['host.arch']).toBe(process.arch === 'x64' ? 'amd64' : process.arch)
    const machineId = existsSync('/etc/machine-id')
      ? readFileSync('/etc/machine-id', 'utf8').trim()
      : undefined
    expect(resource['host.id']).toBe(machineId)
    expect(resource['process.pid']).toBe(service.child.pid)
    expect(resource).not.toHaveProperty('process.command_args')
    expect(resource).not.toHaveProperty('process.command_line')
    expect(service.stderr()).not.toContain('error')
  })

  it('traces an HTTP request and every database call under it, without parameter values', async () => {
    const res = await service.get('/orders/4242')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ pg: 4242, mysql: 4242, ioredis: null, redis: null })
    await receiver.waitFor((spans) =>
      spans.some((s) => s.service === name && s.kind === SERVER && s.name === 'GET /orders/:id'),
    )
    const server = receiver.spans.find(
      (s) => s.service === name && s.name === 'GET /orders/:id',
    ) as ReceivedSpan
    await receiver.waitFor((spans) => traceOf(spans, server).length >= 5)
    const trace = traceOf(receiver.spans, server)
    const children = trace.filter((s) => s.parentSpanId === server.spanId)
    const systems = children.map((s) => s.attributes['db.system.name'] ?? s.attributes['db.system']).sort()
    expect(systems).toEqual(expect.arrayContaining(['mysql', 'postgresql', 'redis', 'redis']))
    expect(children.every((s) => s.kind === CLIENT)).toBe(true)
    expect(server.attributes['http.route']).toBe('/orders/:id')
    expect(server.attributes['http.response.status_code']).toBe(200)
    expect(server.attributes['http.request.method']).toBe('GET')
    const pgSpan = children.find(
      (s) => (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'postgresql',
    )
    const statement = String(pgSpan?.attributes['db.query.text'] ?? pgSpan?.attributes['db.statement'])
    expect(statement).toBe('SELECT ?::int AS id, ? AS note')
    for (const span of trace) {
      for (const value of Object.values(span.attributes)) {
        expect(String(value)).not.toContain('secret-literal')
        if (
          span.kind === CLIENT &&
          span.attributes['db.system.name'] !== 'redis' &&
          span.attributes['db.system'] !== 'redis'
        ) {
          expect(String(value)).not.toContain('4242')
        }
      }
    }
  })

  it('serves Prometheus metrics with route templates, units, buckets and service_name', async () => {
    await service.get('/orders/1')
    await service.get('/fail')
    const text = await service.metrics()
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram')
    expect(
      seriesValue(text, 'http_server_request_duration_seconds_count', [
        `service_name="${name}"`,
        'http_route="/orders/:id"',
        'http_response_status_code="200"',
      ]),
    ).toBeGreaterThanOrEqual(2)
    expect(text).toMatch(
      /http_server_request_duration_seconds_bucket\{[^}]*http_route="\/orders\/:id"[^}]*le="0\.005"\}/,
    )
    expect(text).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*le="\+Inf"\}/)
    expect(
      seriesValue(text, 'http_server_request_duration_seconds_count', [
        'http_route="/fail"',
        'error_type="500"',
      ]),
    ).toBe(1)
    for (const system of ['postgresql', 'mysql', 'redis']) {
      expect(
        seriesValue(text, 'db_client_operation_duration_seconds_count', [`db_system_name="${system}"`]),
      ).toBeGreaterThan(0)
    }
    expect(text).toMatch(
      /db_client_operation_duration_seconds_count\{[^}]*db_system_name="postgresql",db_operation_name="SELECT"/,
    )
    expect(text).toContain('# TYPE http_server_active_requests gauge')
    expect(text).toMatch(/target_info\{[^}]*service_name="svc-/)
    expect(text).not.toContain('/orders/4242')
  })
})

describe.each([
  { preload: 'import' as const, fixture: 'esm-app.mjs' },
  { preload: 'require' as const, fixture: 'cjs-app.cjs' },
])('--$preload with $fixture, first request after host and runtime metrics start', ({ preload, fixture }) => {
  it('every library keeps working: the metric sources add no broken require hook', async () => {
    const service = await startService({ fixture, preload, env: exportTo(receiver, `late-${preload}`) })
    try {
      // The sources start a moment after the SDK; until then the drivers have required nothing lazily.
      const started = await eventually(async () =>
        (await service.metrics()).includes('nodejs_eventloop_utilization_ratio'),
      )
      expect(started).toBe(true)
      const res = await service.get('/orders/4242')
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ pg: 4242, mysql: 4242, ioredis: null, redis: null })
    } finally {
      await service.stop()
    }
  })
})

describe('routes', () => {
  it('Express 5 nested routers report the full template, parametrised mounts included', async () => {
    const service = await startService({ fixture: 'esm-app.mjs' })
    try {
      for (const id of [1, 2, 3]) expect((await service.get(`/api/items/${id}`)).status).toBe(200)
      const text = await service.metrics()
      expect(
        seriesValue(text, 'http_server_request_duration_seconds_count', ['http_route="/api/items/:itemId"']),
      ).toBe(3)
    } finally {
      await service.stop()
    }
  })

  it('Fastify reports the route template, prefixes included, and none for 404s', async () => {
    const service = await startService({ fixture: 'fastify-app.mjs' })
    try {
      await service.get('/items/1')
      await service.get('/items/2')
      await service.get('/v2/users/9/orders')
      expect((await service.get('/missing/7')).status).toBe(404)
      const text = await service.metrics()
      expect(
        seriesValue(text, 'http_server_request_duration_seconds_count', ['http_route="/items/:id"']),
      ).toBe(2)
      expect(
        seriesValue(text, 'http_server_request_duration_seconds_count', [
          'http_route="/v2/users/:userId/orders"',
        ]),
      ).toBe(1)
      expect(text).not.toContain('/missing/7')
      expect(text).not.toContain('/items/1"')
    } finally {
      await service.stop()
    }
  })

  it('plain node:http collapses unmatched paths into one series and honours setHttpRoute', async () => {
    const service = await startService({ fixture: 'http-app.mjs' })
    try {
      for (let i = 0; i < 20; i++) await service.get(`/user/${i}/profile?token=${i}`)
      await service.get('/routed/1')
      await service.get('/routed/2')
      await service.get('/error')
      const text = await service.metrics()
      const lines = text
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('http_server_request_duration_seconds_count') && l.includes('status_code="200"'),
        )
      expect(lines).toHaveLength(2)
      expect(
        seriesValue(text, 'http_server_request_duration_seconds_count', ['http_route="/routed/:id"']),
      ).toBe(2)
      const unrouted = lines.find((l) => !l.includes('http_route')) as string
      expect(Number(unrouted.split(' ').pop())).toBe(20)
      expect(text).not.toContain('/user/')
      expect(seriesValue(text, 'http_server_request_duration_seconds_count', ['error_type="503"'])).toBe(1)
    } finally {
      await service.stop()
    }
  })
})

describe('outgoing HTTP', () => {
  it('fetch calls get a client span carrying trace context and http.client.request.duration', async () => {
    const service = await startService({
      fixture: 'esm-app.mjs',
      env: exportTo(receiver, 'svc-fetch', 'http/json'),
    })
    try {
      expect((await service.get('/outbound')).status).toBe(200)
      const innerOf = (spans: ReceivedSpan[]) =>
        spans.find((s) => s.service === 'svc-fetch' && s.name === 'GET /api/items/:itemId')
      // The client and outer spans end after the inner one: they may come in a later batch.
      await receiver.waitFor((spans) => {
        const found = innerOf(spans)
        const client = found && spans.find((s) => s.spanId === found.parentSpanId)
        return client !== undefined && spans.some((s) => s.spanId === client.parentSpanId)
      })
      const inner = innerOf(receiver.spans) as ReceivedSpan
      const client = receiver.spans.find((s) => s.spanId === inner.parentSpanId) as ReceivedSpan
      expect(client.kind).toBe(CLIENT)
      const outer = receiver.spans.find((s) => s.spanId === client.parentSpanId) as ReceivedSpan
      expect(outer.name).toBe('GET /outbound')
      const text = await service.metrics()
      expect(
        seriesValue(text, 'http_client_request_duration_seconds_count', ['http_response_status_code="200"']),
      ).toBe(1)
    } finally {
      await service.stop()
    }
  })
})

describe('outgoing node:http', () => {
  it('http.get, whose headers Node writes at once, carries its client span’s trace context', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: exportTo(receiver, 'svc-http-get', 'http/json'),
    })
    try {
      // /outbound/<rest> calls /echo/<rest> of the same service with http.get and with fetch.
      expect((await service.get('/outbound/trace')).status).toBe(200)
      const ours = (spans: ReceivedSpan[]) => spans.filter((s) => s.service === 'svc-http-get')
      await receiver.waitFor((spans) => ours(spans).length >= 5)
      const spans = ours(receiver.spans)
      const outer = spans.find((s) => s.kind === SERVER && s.attributes['url.path'] === '/outbound/trace')
      const echoes = spans.filter((s) => s.kind === SERVER && s.attributes['url.path'] === '/echo/trace')
      expect(outer).toBeDefined()
      expect(echoes).toHaveLength(2)
      for (const echo of echoes) {
        // Each called request is a child of its client span, itself a child of the calling request.
        expect(echo.traceId).toBe(outer?.traceId)
        const client = spans.find((s) => s.spanId === echo.parentSpanId)
        expect(client?.kind).toBe(CLIENT)
        expect(client?.parentSpanId).toBe(outer?.spanId)
      }
    } finally {
      await service.stop()
    }
  })
})

describe('one copy of the OpenTelemetry API and core', () => {
  it('upstream packages that require @opentelemetry/api or /core get the bundled copy, not a second load', () => {
    const probe = `
      const { MySQL2Instrumentation } = require('@opentelemetry/instrumentation-mysql2')
      const api = require('@opentelemetry/api')
      const core = require('@opentelemetry/core')
      const files = (pkg) => Object.keys(require.cache).filter((f) => f.includes('/@opentelemetry/' + pkg + '/')).length
      const provider = api.trace.getTracerProvider().constructor.name
      const suppressed = core.isTracingSuppressed(core.suppressTracing(api.ROOT_CONTEXT))
      console.log(JSON.stringify({ files: files('api'), coreFiles: files('core'), provider, suppressed, instrumentation: typeof MySQL2Instrumentation }))`
    const run = spawnSync(process.execPath, ['--require', REGISTER_CJS, '-e', probe], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, OTELKIT_OPS_PORT: '0', OTEL_TRACES_EXPORTER: 'none' },
      encoding: 'utf8',
    })
    expect(run.status, run.stderr).toBe(0)
    const out = JSON.parse(run.stdout.trim().split('\n').pop() as string)
    // The cache entry of each package's entry file only: none of their files were loaded.
    expect(out).toEqual({
      files: 1,
      coreFiles: 1,
      provider: 'ProxyTracerProvider',
      suppressed: true,
      instrumentation: 'function',
    })
  })
})
