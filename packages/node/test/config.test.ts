/**
 * Configuration: every bad environment value leaves the service running and produces one clear
 * warning naming the variable, the value (secrets redacted) and the accepted form; bad options in
 * code throw OtelkitConfigError.
 */
import { createServer } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { readEnv } from '../src/config/env.js'
import { loadConfig } from '../src/config/load.js'
import { OtelkitConfigError, start } from '../src/index.js'
import { killAll, startService } from './support/service.js'

afterAll(() => killAll())

interface BadCase {
  variable: string
  value: string
  secret?: boolean
}

const BAD_VALUES: BadCase[] = [
  { variable: 'OTELKIT_OPS_PORT', value: 'abc' },
  { variable: 'OTELKIT_OPS_PORT', value: '70000' },
  { variable: 'OTEL_METRICS_EXPORTER', value: 'prometheus,statsd' },
  { variable: 'OTEL_TRACES_EXPORTER', value: 'jaeger' },
  { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'not a url', secret: true },
  { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'ftp://collector:4318', secret: true },
  { variable: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'thrift' },
  { variable: 'OTEL_TRACES_SAMPLER', value: 'sometimes' },
  { variable: 'OTEL_TRACES_SAMPLER_ARG', value: '1.5' },
  { variable: 'OTEL_TRACES_SAMPLER_ARG', value: 'abc' },
  { variable: 'OTEL_RESOURCE_ATTRIBUTES', value: 'team' },
  { variable: 'OTEL_RESOURCE_ATTRIBUTES', value: 'team=%ZZ' },
  { variable: 'OTEL_BSP_MAX_QUEUE_SIZE', value: '-5' },
  { variable: 'OTEL_EXPORTER_OTLP_TIMEOUT', value: '0' },
  { variable: 'OTEL_SDK_DISABLED', value: 'maybe' },
  { variable: 'OTEL_LOG_LEVEL', value: 'loud' },
  { variable: 'OTELKIT_RESOURCE_INTERVAL', value: 'soon' },
  { variable: 'OTELKIT_HEALTH_INTERVAL', value: '2 days' },
  { variable: 'OTELKIT_SLOW_QUERY_MS', value: 'slow' },
  { variable: 'OTEL_BSP_SCHEDULE_DELAY', value: '2 minutes' },
  { variable: 'OTELKIT_DEBUG_TOKEN', value: 'short', secret: true },
  { variable: 'OTEL_EXPORTER_OTLP_HEADERS', value: 'Bearer s3cr3t-t0ken', secret: true },
  { variable: 'OTEL_NODE_RESOURCE_DETECTORS', value: 'env,mainframe' },
]

function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('[otelkit] warn'))
}

describe('bad environment values', () => {
  it.each(BAD_VALUES)(
    '$variable=$value: service serves, one clear warning',
    async ({ variable, value, secret }) => {
      const service = await startService({ fixture: 'http-app.mjs', env: { [variable]: value } })
      try {
        const res = await service.get('/anything')
        expect(res.status).toBe(200)
        const lines = warnings(service.stderr())
        expect(lines).toHaveLength(1)
        expect(lines[0]).toContain(variable)
        expect(lines[0]).toContain('expected')
        expect(lines[0]).toContain('using the default')
        if (secret) {
          expect(lines[0]).toContain('<redacted>')
          expect(lines[0]).not.toContain(value)
        } else {
          expect(lines[0]).toContain(JSON.stringify(value))
        }
      } finally {
        await service.stop()
      }
    },
  )

  it('the ops port already in use: one warning, the service runs on', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as { port: number }).port
    try {
      const service = await startService({ fixture: 'http-app.mjs', env: { OTELKIT_OPS_PORT: String(port) } })
      try {
        expect((await service.get('/')).status).toBe(200)
        await new Promise((r) => setTimeout(r, 200))
        const lines = warnings(service.stderr())
        expect(lines).toHaveLength(1)
        expect(lines[0]).toContain(`port ${port} is in use`)
        expect(lines[0]).toContain('OTELKIT_OPS_PORT')
      } finally {
        await service.stop()
      }
    } finally {
      blocker.close()
    }
  })

  it('OTEL_SDK_DISABLED=true starts nothing: no ops server, the service runs', async () => {
    const service = await startService({ fixture: 'http-app.mjs', env: { OTEL_SDK_DISABLED: 'true' } })
    try {
      expect((await service.get('/')).status).toBe(200)
      await expect(fetch(`http://127.0.0.1:${service.opsPort}/metrics`)).rejects.toThrow()
      expect(warnings(service.stderr())).toHaveLength(0)
    } finally {
      await service.stop()
    }
  })
})

describe('config resolution', () => {
  it('parses standard variables', () => {
    const { options, warnings: w } = readEnv({
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=shop%20core',
      OTEL_METRICS_EXPORTER: 'prometheus, otlp',
      OTELKIT_RESOURCE_INTERVAL: '15s',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    })
    expect(w).toEqual([])
    expect(options.resourceAttributes).toEqual({ 'deployment.environment.name': 'prod', team: 'shop core' })
    expect(options.metricsExporter).toEqual(['prometheus', 'otlp'])
    expect(options.resourceIntervalMs).toBe(15_000)
    expect(options.samplerRatio).toBe(0.25)
  })

  it('completes OTLP endpoints per signal and protocol, options win over env', () => {
    const http = loadConfig(
      { serviceName: 'from-code' },
      {
        OTEL_SERVICE_NAME: 'from-env',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      },
    )
    expect(http.serviceName).toBe('from-code')
    expect(http.otlpTracesEndpoint).toBe('http://collector:4318/v1/traces')
    expect(http.otlpMetricsEndpoint).toBe('http://collector:4318/v1/metrics')
    const grpc = loadConfig(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })
    expect(grpc.otlpTracesEndpoint).toBe('http://localhost:4317')
    const explicit = loadConfig(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://x.example/traces' })
    expect(explicit.otlpTracesEndpoint).toBe('https://x.example/traces')
  })

  it('start() rejects bad options with a typed error naming each one', () => {
    let caught: unknown
    try {
      start({
        opsPort: 99_999,
        samplerRatio: 2,
        tracesExporter: ['zipkin' as 'otlp'],
        unknownThing: 1,
      } as never)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(OtelkitConfigError)
    const error = caught as OtelkitConfigError
    expect(error.code).toBe('OTELKIT_CONFIG_INVALID')
    expect(error.message).toContain('opsPort')
    expect(error.message).toContain('samplerRatio')
    expect(error.message).toContain('tracesExporter')
    expect(error.message).toContain('unknownThing')
    expect(error.issues.length).toBe(4)
  })
})
