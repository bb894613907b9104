/**
 * OTLP over TLS through the real preload, with certificates made at test time: a TLS receiver
 * verified with OTEL_EXPORTER_OTLP_CERTIFICATE receives the spans (own protobuf path and the
 * upstream http/json serialiser, both on otelkit's transport); an mTLS receiver refuses a client
 * without a certificate and accepts one with OTEL_EXPORTER_OTLP_CLIENT_KEY/_CERTIFICATE; a CA
 * file that cannot be loaded
 * fails closed: one warning naming the variable and the file, nothing sent (not even in clear),
 * spans and metric points counted as dropped, and the service serves on.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { makeTestCertificates } from './support/certificates.js'
import { startOtlpReceiver } from './support/otlp-receiver.js'
import { killAll, seriesValue, startService } from './support/service.js'

const certs = makeTestCertificates()
afterAll(() => {
  killAll()
  certs.remove()
})

const serverTls = { key: certs.server.key, cert: certs.server.cert }
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('[otelkit] warn'))
const dropped = (text: string, signal: string, reason: string) =>
  seriesValue(text, 'otelkit_telemetry_dropped_total', [`signal="${signal}"`, `reason="${reason}"`])

async function sendSpans(env: Record<string, string>, count = 3) {
  const service = await startService({
    fixture: 'http-app.mjs',
    env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_BSP_SCHEDULE_DELAY: '100', ...env },
  })
  for (let i = 0; i < count; i++) await (await service.get(`/tls/${i}`)).arrayBuffer()
  return service
}

describe('OTLP over TLS', () => {
  it.each(['http/protobuf', 'http/json'])(
    '%s: a TLS receiver verified with OTEL_EXPORTER_OTLP_CERTIFICATE gets the spans',
    async (protocol) => {
      const receiver = await startOtlpReceiver({ tls: serverTls })
      const service = await sendSpans({
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_CERTIFICATE: certs.ca.certPath,
      })
      try {
        expect(receiver.url).toMatch(/^https:/)
        await receiver.waitFor((spans) => spans.filter((s) => s.kind === 2).length >= 3)
        expect(warnings(service.stderr())).toEqual([])
        // Both protocols go through otelkit's own client (it names itself), in their media type.
        for (const request of receiver.requests.filter((r) => r.path === '/v1/traces')) {
          expect(request.headers['user-agent']).toMatch(/^otelkit\//)
          expect(request.contentType).toBe(
            protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
          )
        }
      } finally {
        await service.stop()
        await receiver.close()
      }
    },
  )

  it('mTLS: a client without a certificate is refused, one with the client key and certificate delivers', async () => {
    const receiver = await startOtlpReceiver({ tls: { ...serverTls, ca: certs.ca.cert } })
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: certs.ca.certPath,
    }
    const without = await sendSpans(env)
    try {
      const deadline = Date.now() + 15_000
      while (receiver.tlsErrors.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      expect(receiver.tlsErrors.length).toBeGreaterThan(0)
      expect(receiver.requests).toEqual([])
    } finally {
      await without.stop()
    }
    const withCert = await sendSpans({
      ...env,
      OTEL_EXPORTER_OTLP_CLIENT_KEY: certs.client.keyPath,
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certs.client.certPath,
    })
    try {
      await receiver.waitFor((spans) => spans.filter((s) => s.kind === 2).length >= 3)
      expect(warnings(withCert.stderr())).toEqual([])
    } finally {
      await withCert.stop()
      await receiver.close()
    }
  })

  it('a CA file that cannot be loaded: one warning, nothing sent in clear, spans and points counted as dropped', async () => {
    const receiver = await startOtlpReceiver()
    const missing = `${certs.dir}/no-such-ca.pem`
    const service = await sendSpans(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_CERTIFICATE: missing,
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_METRIC_EXPORT_INTERVAL: '200',
      },
      5,
    )
    try {
      let text = await service.metrics()
      const deadline = Date.now() + 15_000
      while (
        (dropped(text, 'traces', 'exporter_unavailable') < 5 ||
          dropped(text, 'metrics', 'exporter_unavailable') === 0) &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 100))
        text = await service.metrics()
      }
      expect(dropped(text, 'traces', 'exporter_unavailable')).toBeGreaterThanOrEqual(5)
      expect(dropped(text, 'metrics', 'exporter_unavailable')).toBeGreaterThan(0)
      expect(receiver.requests).toEqual([])
      expect((await service.get('/still-serving')).status).toBe(200)
      const named = warnings(service.stderr()).filter((l) => l.includes('OTEL_EXPORTER_OTLP_CERTIFICATE'))
      // One per signal that exports over OTLP (traces, metrics), each naming the file and the fix.
      expect(named).toHaveLength(2)
      for (const line of named) {
        expect(line).toContain(missing)
        expect(line).toContain('ENOENT')
        expect(line).toContain('readable PEM file')
      }
    } finally {
      await service.stop()
      await receiver.close()
    }
  })
})
