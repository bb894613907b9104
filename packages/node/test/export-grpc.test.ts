/**
 * OTLP/gRPC export through the real preload into a real gRPC receiver (the stack's collector
 * with a file exporter): spans and metrics arrive over plain gRPC, and spans over TLS verified
 * with OTEL_EXPORTER_OTLP_CERTIFICATE.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { makeTestCertificates } from './support/certificates.js'
import { startOtlpCollector } from './support/otlp-collector.js'
import { killAll, startService } from './support/service.js'

const certs = makeTestCertificates()
afterAll(() => {
  killAll()
  certs.remove()
})

describe('OTLP over gRPC', () => {
  it('delivers spans and metrics to a gRPC receiver', async () => {
    const collector = await startOtlpCollector()
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.grpcEndpoint,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=shop',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    })
    try {
      await (await service.get('/grpc/1')).arrayBuffer()
      await collector.waitFor(() => collector.spanNames().some((n) => n.startsWith('GET')), 'a server span')
      await collector.waitFor(
        () => collector.metricNames().includes('http.server.request.duration'),
        'http.server.request.duration',
      )
      expect(service.stderr()).not.toContain('[otelkit] warn')
    } finally {
      await service.stop()
      await collector.stop()
    }
  })

  it('delivers spans over TLS verified with OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', async () => {
    const collector = await startOtlpCollector({
      tls: { certPath: certs.server.certPath, keyPath: certs.server.keyPath },
    })
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.grpcEndpoint,
        OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: certs.ca.certPath,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    })
    try {
      expect(collector.grpcEndpoint).toMatch(/^https:/)
      await (await service.get('/grpc/tls')).arrayBuffer()
      await collector.waitFor(() => collector.spanNames().some((n) => n.startsWith('GET')), 'a server span')
      expect(service.stderr()).not.toContain('[otelkit] warn')
    } finally {
      await service.stop()
      await collector.stop()
    }
  })
})
