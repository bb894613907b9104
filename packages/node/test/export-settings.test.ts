/**
 * The per-signal OTLP settings through the real preload against a receiver: per-signal headers
 * reach it and win over the generic ones key by key, a per-signal endpoint is used as is (the
 * generic one gets /v1/traces), gzip bodies decode to the spans, and pushed metrics go through the
 * same transport as spans (otelkit's user agent, their own headers and compression).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from './support/eventually.js'
import { startOtlpReceiver } from './support/otlp-receiver.js'
import { freePort, killAll, startService } from './support/service.js'

afterAll(() => killAll())

describe('OTEL_EXPORTER_OTLP_* per signal', () => {
  it('per-signal headers win over the generic ones; gzip bodies carry the spans; host, type and length are right', async () => {
    const receiver = await startOtlpReceiver()
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=generic,x-common=from%20generic',
        // A configured content type cannot replace the protobuf one the body is.
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces-only,Content-Type=text/plain',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-tenant=metrics-only',
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    })
    try {
      for (let i = 0; i < 5; i++) await (await service.get(`/gz/${i}`)).arrayBuffer()
      await receiver.waitFor((spans) => spans.filter((s) => s.kind === 2).length >= 5)
      const traces = receiver.requests.filter((r) => r.path === '/v1/traces')
      expect(traces.length).toBeGreaterThan(0)
      for (const request of traces) {
        expect(request.headers['x-tenant']).toBe('traces-only')
        expect(request.headers['x-common']).toBe('from generic')
        expect(request.headers['content-encoding']).toBe('gzip')
        expect(request.headers['content-type']).toBe('application/x-protobuf')
        expect(request.headers.host).toBe(new URL(receiver.url).host)
        expect(Number(request.headers['content-length'])).toBe(request.bytes)
        // The wire bytes are the compressed ones: smaller than the decoded body.
        expect(request.bytes).toBeLessThan(request.body.length)
      }
      expect(receiver.spans.filter((s) => s.kind === 2).map((s) => s.attributes['url.path'])).toEqual(
        expect.arrayContaining(['/gz/0', '/gz/4']),
      )
      expect(service.stderr()).not.toContain('warn')
    } finally {
      await service.stop()
      await receiver.close()
    }
  })

  it("pushed metrics (http/protobuf) go through otelkit's transport: its user agent, their headers, gzip", async () => {
    const receiver = await startOtlpReceiver()
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_METRIC_EXPORT_INTERVAL: '200',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=generic',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-tenant=metrics-only',
        OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'gzip',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    })
    try {
      await (await service.get('/pushed')).arrayBuffer()
      const has = (path: string, text: string) =>
        receiver.requests.some((r) => r.path === path && r.body.includes(text))
      await waitFor(
        'pushed metrics and spans',
        () => has('/v1/metrics', 'http.server.request.duration') && has('/v1/traces', '/pushed'),
        { timeoutMs: 15_000 },
      )
      const agents = new Set(receiver.requests.map((r) => r.headers['user-agent']))
      expect([...agents]).toEqual([
        expect.stringMatching(/^otelkit\/\S+ OTel-OTLP-Exporter-JavaScript Node\.js\//),
      ])
      const metrics = receiver.requests.filter((r) => r.path === '/v1/metrics')
      for (const request of metrics) {
        expect(request.headers['x-tenant']).toBe('metrics-only')
        expect(request.headers['content-encoding']).toBe('gzip')
        expect(request.headers['content-type']).toBe('application/x-protobuf')
        expect(request.bytes).toBeLessThan(request.body.length)
      }
      expect(service.stderr()).not.toContain('warn')
    } finally {
      await service.stop()
      await receiver.close()
    }
  })

  it('a per-signal endpoint is used as is, the generic one elsewhere gets nothing', async () => {
    const receiver = await startOtlpReceiver()
    const unused = await freePort()
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${unused}`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces-in`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    })
    try {
      await (await service.get('/as-is')).arrayBuffer()
      const deadline = Date.now() + 15_000
      while (!receiver.requests.some((r) => r.path === '/custom/traces-in') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      expect(receiver.requests.map((r) => r.path)).toContain('/custom/traces-in')
      expect(receiver.requests.every((r) => r.path === '/custom/traces-in')).toBe(true)
    } finally {
      await service.stop()
      await receiver.close()
    }
  })
})
