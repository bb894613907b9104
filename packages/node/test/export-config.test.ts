/**
 * The OTLP settings as configuration: every `OTEL_EXPORTER_OTLP_*` variable and its per-signal
 * form with a bad value gives one warning naming variable, value (secrets redacted) and the
 * accepted form; per-signal settings win over generic ones; OTEL_METRIC_EXPORT_TIMEOUT longer
 * than the interval is cut to it with one warning; and each TLS problem is described with the
 * variable, the file and the fix (otlp/tls.ts), before anything is sent.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { readEnv } from '../src/config/env.js'
import { loadConfig } from '../src/config/load.js'
import { OTLP_SETTINGS, OTLP_SIGNALS, type OtlpSettingName, otlpVariableName } from '../src/config/otlp.js'
import { setLogSink } from '../src/logger.js'
import { loadOtlpTls } from '../src/otlp/tls.js'
import { makeTestCertificates } from './support/certificates.js'

const certs = makeTestCertificates()
afterAll(() => certs.remove())
afterEach(() => setLogSink((line) => process.stderr.write(`${line}\n`)))

const BAD: Record<OtlpSettingName, { value: string; expected: string; secret?: boolean }> = {
  Endpoint: { value: 'ftp://collector:4317', expected: 'or host:port', secret: true },
  Protocol: { value: 'thrift', expected: 'one of http/protobuf, http/json, grpc' },
  Headers: { value: 'Bearer s3cr3t', expected: 'key=value pairs', secret: true },
  TimeoutMs: { value: 'soon', expected: 'duration' },
  Compression: { value: 'zstd', expected: 'one of gzip, none' },
  Certificate: { value: 'ca\u0001.pem', expected: 'a file path' },
  ClientKey: { value: 'key\u0002.pem', expected: 'a file path' },
  ClientCertificate: { value: 'c\u0003.pem', expected: 'a file path' },
  Insecure: { value: 'yes', expected: 'true or false' },
}

describe('OTEL_EXPORTER_OTLP_* values', () => {
  const cases = (Object.keys(OTLP_SETTINGS) as OtlpSettingName[]).flatMap((setting) =>
    [undefined, ...OTLP_SIGNALS].map((signal) => ({ setting, variable: otlpVariableName(setting, signal) })),
  )
  it.each(cases)(
    '$variable with a bad value: one warning naming it, the value and the accepted form',
    ({ setting, variable }) => {
      const bad = BAD[setting]
      const { warnings } = readEnv({ [variable]: bad.value })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`invalid ${variable}=`)
      expect(warnings[0]).toContain(bad.expected)
      if (bad.secret) {
        expect(warnings[0]).toContain('<redacted>')
        expect(warnings[0]).not.toContain(bad.value)
      } else expect(warnings[0]).toContain(JSON.stringify(bad.value))
    },
  )

  it('per-signal settings win; the generic endpoint gets /v1/<signal>, a per-signal one is used as is', () => {
    const config = loadConfig(undefined, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://logs.example/ingest',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'metrics.example:4317',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_CERTIFICATE: '/etc/ca.pem',
      OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: '/etc/traces-ca.pem',
    })
    expect(config.otlp.traces).toMatchObject({
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      timeoutMs: 2000,
      compression: 'gzip',
      tls: { certificate: { path: '/etc/traces-ca.pem' } },
    })
    expect(config.otlp.traces.tls.certificate?.setting).toContain('OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE')
    expect(config.otlp.metrics).toMatchObject({
      endpoint: 'https://metrics.example:4317',
      protocol: 'grpc',
      timeoutMs: 5000,
    })
    expect(config.otlp.logs).toMatchObject({ endpoint: 'https://logs.example/ingest', compression: 'none' })
    expect(config.otlp.logs.tls.certificate?.setting).toBe('OTEL_EXPORTER_OTLP_CERTIFICATE (otlpCertificate)')
    const insecure = loadConfig(undefined, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
      OTEL_EXPORTER_OTLP_INSECURE: 'true',
    })
    expect(insecure.otlp.traces.endpoint).toBe('http://collector:4317')
  })

  it('OTEL_METRIC_EXPORT_TIMEOUT longer than the interval: cut to it, one warning', () => {
    const lines: string[] = []
    setLogSink((line) => lines.push(line))
    const config = loadConfig(undefined, {
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_METRIC_EXPORT_TIMEOUT: '9000',
    })
    expect(config.metricExportTimeoutMs).toBe(5000)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('OTEL_METRIC_EXPORT_TIMEOUT (metricExportTimeoutMs) 9000')
    lines.length = 0
    // The default timeout (30 s) follows a shorter interval without a warning.
    expect(loadConfig(undefined, { OTEL_METRIC_EXPORT_INTERVAL: '5000' }).metricExportTimeoutMs).toBe(5000)
    expect(loadConfig(undefined, {}).metricExportTimeoutMs).toBe(30_000)
    expect(lines).toEqual([])
  })
})

describe('TLS settings that cannot be honoured fail closed', () => {
  const traces = (env: Record<string, string>) =>
    loadConfig(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://127.0.0.1:4318', ...env }).otlp.traces
  const problem = (env: Record<string, string>) => {
    const result = loadOtlpTls(traces(env))
    return result.ok ? '' : result.problem
  }

  it('loads a good CA and a matching client key and certificate', () => {
    const result = loadOtlpTls(
      traces({
        OTEL_EXPORTER_OTLP_CERTIFICATE: certs.ca.certPath,
        OTEL_EXPORTER_OTLP_CLIENT_KEY: certs.client.keyPath,
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certs.client.certPath,
      }),
    )
    expect(result).toMatchObject({ ok: true, secure: true })
  })

  it('each problem names the variable, the file and the fix', () => {
    const notPem = join(certs.dir, 'not-pem.txt')
    writeFileSync(notPem, 'hello')
    expect(problem({ OTEL_EXPORTER_OTLP_CERTIFICATE: notPem })).toMatch(
      /OTEL_EXPORTER_OTLP_CERTIFICATE \(otlpCertificate\)=".*not-pem.txt": the file holds no valid PEM CA certificate.*Give a PEM file/,
    )
    expect(problem({ OTEL_EXPORTER_OTLP_CLIENT_KEY: certs.client.keyPath })).toMatch(
      /OTEL_EXPORTER_OTLP_CLIENT_KEY \(otlpClientKey\) is set without OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE.*Set both, or neither/,
    )
    expect(
      problem({
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: certs.server.keyPath,
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certs.client.certPath,
      }),
    ).toMatch(/OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY .*server.key" does not match .*client.pem"/)
    const plain = problem({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
      OTEL_EXPORTER_OTLP_CERTIFICATE: certs.ca.certPath,
    })
    expect(plain).toContain('is plain http')
    expect(plain).toContain('Use an https:// endpoint')
    for (const text of [plain, problem({ OTEL_EXPORTER_OTLP_CERTIFICATE: notPem })]) {
      expect(text).toContain('otelkit_telemetry_dropped_total{signal="traces",reason="exporter_unavailable"}')
    }
  })
})
