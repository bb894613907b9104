/**
 * Log correlation, queries that wait for a pooled connection, queue time, instrumentation
 * selection and metric-export drops.
 */
import { describe, expect, it } from 'vitest'
import { selectInstrumentations } from '../src/instrumentations/select.js'
import { exportTo, freePort, receiverForFile, seriesValue, startService } from './support/service.js'

const receiver = receiverForFile()

describe('pino', () => {
  it('log lines written during a request carry its trace and span ids', async () => {
    const service = await startService({
      fixture: 'esm-app.mjs',
      env: exportTo(receiver, 'logs', 'http/json'),
    })
    try {
      expect((await service.get('/log')).status).toBe(200)
      await receiver.waitFor((spans) => spans.some((s) => s.service === 'logs' && s.name === 'GET /log'))
      const server = receiver.spans.find((s) => s.service === 'logs' && s.name === 'GET /log')
      const line = service
        .stdout()
        .split('\n')
        .find((l) => l.includes('order viewed')) as string
      const record = JSON.parse(line)
      expect(record.trace_id).toBe(server?.traceId)
      expect(record.span_id).toBe(server?.spanId)
    } finally {
      await service.stop()
    }
  })
})

describe.each([
  { driver: 'pg', path: '/pooled', system: 'postgresql' },
  { driver: 'mysql2', path: '/pooled-mysql', system: 'mysql' },
  { driver: 'mysql2-cluster', path: '/pooled-mysql-cluster', system: 'mysql' },
])('$driver pool', ({ driver, path, system }) => {
  it('a query that waited for a pooled connection belongs to its own request', async () => {
    const name = `pooled-${driver}`
    const service = await startService({
      fixture: 'esm-app.mjs',
      env: exportTo(receiver, name, 'http/json'),
    })
    try {
      // Four requests at once on a pool of one connection: three wait, each handed the
      // connection from inside the previous query's release.
      const ids = [11, 12, 13, 14]
      const answers = await Promise.all(ids.map(async (id) => (await service.get(`${path}/${id}`)).json()))
      expect(answers).toEqual(ids.map((id) => ({ id })))
      const mine = () => receiver.spans.filter((s) => s.service === name)
      const servers = () => mine().filter((s) => s.name === `GET ${path}/:id`)
      const queries = () =>
        mine().filter((s) => (s.attributes['db.system.name'] ?? s.attributes['db.system']) === system)
      await receiver.waitFor(() => servers().length === 4 && queries().length >= 4)
      expect(new Set(servers().map((s) => s.traceId)).size).toBe(4)
      for (const server of servers()) {
        const own = queries().filter((q) => q.traceId === server.traceId)
        expect(own).toHaveLength(1)
        expect(own[0]?.parentSpanId).toBe(server.spanId)
      }
    } finally {
      await service.stop()
    }
  })
})

describe('queue time', () => {
  it('records http.server.request.queue_time from X-Request-Start', async () => {
    const service = await startService({ fixture: 'http-app.mjs' })
    try {
      const sent = Date.now() - 250
      await service.get('/q', { headers: { 'x-request-start': `t=${(sent / 1000).toFixed(3)}` } })
      await service.get('/q', { headers: { 'x-queue-start': `t=${sent}` } })
      await service.get('/q')
      const text = await service.metrics()
      expect(
        seriesValue(text, 'http_server_request_queue_time_seconds_count', ['http_request_method="GET"']),
      ).toBe(2)
      const sum = seriesValue(text, 'http_server_request_queue_time_seconds_sum')
      expect(sum).toBeGreaterThanOrEqual(0.45)
      expect(sum).toBeLessThan(30)
    } finally {
      await service.stop()
    }
  })
})

describe('instrumentation selection', () => {
  const names = (entries: { name: string }[]) => entries.map((e) => e.name)

  it('takes all but the noisy ones by default, only the named ones when a list is given', () => {
    const all = names(selectInstrumentations(undefined, []))
    expect(all).toContain('mongodb')
    expect(all).toContain('express')
    expect(all).not.toContain('fs')
    expect(all).not.toContain('express-middleware')
    expect(names(selectInstrumentations(['http', 'pg', 'fs'], [])).sort()).toEqual(['fs', 'http', 'pg'])
    const without = names(selectInstrumentations(undefined, ['pg', 'undici']))
    expect(without).not.toContain('pg')
    expect(without).not.toContain('undici')
    expect(without.length).toBe(all.length - 2)
  })
})

describe('metric export failures', () => {
  it('are counted as dropped metric points and the service serves on', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        OTEL_METRIC_EXPORT_INTERVAL: '200',
        OTEL_EXPORTER_OTLP_TIMEOUT: '150',
      },
    })
    try {
      const deadline = Date.now() + 15_000
      let dropped = 0
      while (Date.now() < deadline && dropped === 0) {
        expect((await service.get('/x')).status).toBe(200)
        dropped = seriesValue(await service.metrics(), 'otelkit_telemetry_dropped_total', [
          'signal="metrics"',
          'reason="export_failed"',
        ])
        await new Promise((r) => setTimeout(r, 200))
      }
      expect(dropped).toBeGreaterThan(0)
      const warnings = service
        .stderr()
        .split('\n')
        .filter((l) => l.includes('metric export'))
      expect(warnings.length).toBe(1)
    } finally {
      await service.stop()
    }
  })
})

describe('Express errors', () => {
  it('a thrown error reaches error tracking with its type, message and stack, grouped across requests', async () => {
    const token = 'extras-token-0123456789'
    const service = await startService({ fixture: 'esm-app.mjs', env: { OTELKIT_DEBUG_TOKEN: token } })
    try {
      expect((await service.get('/boom/1')).status).toBe(500)
      expect((await service.get('/boom/2')).status).toBe(500)
      const res = await fetch(`http://127.0.0.1:${service.opsPort}/debug/errors`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const body = (await res.json()) as { groups: Array<Record<string, unknown>> }
      const group = body.groups.find((g) => g.type === 'TypeError')
      expect(group).toBeDefined()
      expect(group?.count).toBe(2)
      expect(group?.route).toBe('/boom/:id')
      expect(String(group?.stack)).toContain('esm-app.mjs')
    } finally {
      await service.stop()
    }
  })
})

describe('Express routes and errors on the server span', () => {
  it('templates of parametrised mounts; each error recorded once, whether an error handler or Express answers', async () => {
    const service = await startService({
      fixture: 'esm-app.mjs',
      env: exportTo(receiver, 'express-errors', 'http/json'),
    })
    try {
      expect((await service.get('/tenants/7/orders/9')).status).toBe(200)
      expect((await service.get('/handled/sync/3')).status).toBe(502)
      expect((await service.get('/handled/next/4')).status).toBe(502)
      expect((await service.get('/boom/5')).status).toBe(500)
      const mine = () => receiver.spans.filter((s) => s.service === 'express-errors' && s.kind === 2)
      await receiver.waitFor(() => mine().length >= 4)
      const byName = new Map(mine().map((s) => [s.name, s]))
      expect([...byName.keys()].sort()).toEqual([
        'GET /boom/:id',
        'GET /handled/next/:id',
        'GET /handled/sync/:id',
        'GET /tenants/:tenantId/orders/:orderId',
      ])
      expect(byName.get('GET /tenants/:tenantId/orders/:orderId')?.attributes['http.route']).toBe(
        '/tenants/:tenantId/orders/:orderId',
      )
      const exceptions = (name: string) =>
        (byName.get(name)?.events ?? [])
          .filter((e) => e.name === 'exception')
          .map((e) => `${e.attributes?.['exception.type']}: ${e.attributes?.['exception.message']}`)
      expect(exceptions('GET /tenants/:tenantId/orders/:orderId')).toEqual([])
      expect(exceptions('GET /handled/sync/:id')).toEqual(['RangeError: quantity 3 is out of range'])
      expect(exceptions('GET /handled/next/:id')).toEqual(['SyntaxError: bad filter 4'])
      expect(exceptions('GET /boom/:id')).toEqual(['TypeError: inventory for item 5 is not a number'])
    } finally {
      await service.stop()
    }
  })
})

describe('outgoing requests that fail', () => {
  it('node:http and fetch record an error span and http.client.request.duration with error.type', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        ...exportTo(receiver, 'refused', 'http/json'),
      },
    })
    try {
      const port = await freePort()
      expect((await service.get(`/call-refused/${port}`)).status).toBe(200)
      const text = await service.metrics()
      // Both clients describe the failure the same way, so they share one series.
      expect(
        seriesValue(text, 'http_client_request_duration_seconds_count', [
          `server_port="${port}"`,
          'error_type="ECONNREFUSED"',
        ]),
      ).toBe(2)
      await receiver.waitFor(
        (spans) =>
          spans.filter((s) => s.service === 'refused' && s.kind === 3 && s.statusCode === 2).length >= 2,
      )
    } finally {
      await service.stop()
    }
  })
})
