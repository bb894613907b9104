/**
 * The ops server (which serves /metrics) honours the standard Prometheus exporter variables,
 * `OTEL_EXPORTER_PROMETHEUS_HOST` and `OTEL_EXPORTER_PROMETHEUS_PORT`; `OTELKIT_OPS_HOST` and
 * `OTELKIT_OPS_PORT` win when both are set. A bad value: one warning, the service serves on.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load.js'
import { setLogSink } from '../src/logger.js'
import { freePort, killAll, listeningAddresses, startService } from './support/service.js'

afterAll(() => killAll())

function load(env: Record<string, string>) {
  const lines: string[] = []
  setLogSink((line) => lines.push(line))
  try {
    return { config: loadConfig(undefined, env), warnings: lines.filter((l) => l.includes(' warn: ')) }
  } finally {
    setLogSink((line) => process.stderr.write(`${line}\n`))
  }
}

/** The status of GET /metrics at host:port, or the connection error's code. */
async function scrape(host: string, port: number): Promise<number | string> {
  try {
    return (await fetch(`http://${host}:${port}/metrics`)).status
  } catch (error) {
    return String((error as { cause?: { code?: string } }).cause?.code ?? error)
  }
}

describe('OTEL_EXPORTER_PROMETHEUS_HOST / _PORT', () => {
  it('set the ops server when OTELKIT_OPS_* are not set, and yield to them when they are', () => {
    const prometheus = { OTEL_EXPORTER_PROMETHEUS_PORT: '9500', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.2' }
    expect(load(prometheus).config).toMatchObject({ opsPort: 9500, opsHost: '127.0.0.2' })
    const both = load({ ...prometheus, OTELKIT_OPS_PORT: '9600', OTELKIT_OPS_HOST: '127.0.0.1' })
    expect(both.config).toMatchObject({ opsPort: 9600, opsHost: '127.0.0.1' })
    expect(both.warnings).toEqual([])
  })

  it('a bad value gives one warning naming variable, value and accepted form', () => {
    const port = load({ OTEL_EXPORTER_PROMETHEUS_PORT: '99999' })
    expect(port.warnings).toEqual([
      '[otelkit] warn: invalid OTEL_EXPORTER_PROMETHEUS_PORT="99999": expected a whole number from 0 to 65535; using the default',
    ])
    expect(port.config.opsPort).toBe(9464)
    const host = load({ OTEL_EXPORTER_PROMETHEUS_HOST: 'not a host' })
    expect(host.warnings).toEqual([
      '[otelkit] warn: invalid OTEL_EXPORTER_PROMETHEUS_HOST="not a host": expected a host name or IP address, e.g. 0.0.0.0 or 127.0.0.1; using the default',
    ])
    // A bad OTELKIT_OPS_PORT leaves a good OTEL_EXPORTER_PROMETHEUS_PORT in force, and says so.
    const fallback = load({ OTEL_EXPORTER_PROMETHEUS_PORT: '9500', OTELKIT_OPS_PORT: 'x' })
    expect(fallback.config.opsPort).toBe(9500)
    expect(fallback.warnings).toEqual([
      '[otelkit] warn: invalid OTELKIT_OPS_PORT="x": expected a whole number from 0 to 65535; using OTEL_EXPORTER_PROMETHEUS_PORT',
    ])
  })

  it('a service under the preload serves /metrics where they say', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      opsPortVariable: 'OTEL_EXPORTER_PROMETHEUS_PORT',
      env: { OTELKIT_OPS_HOST: undefined, OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.2' },
    })
    try {
      expect(await scrape('127.0.0.2', service.opsPort)).toBe(200)
      // Its own sockets, not a connection to 127.0.0.1 (another process may take that port there).
      const opsListeners = listeningAddresses(service.child.pid as number).filter((a) =>
        a.endsWith(`:${service.opsPort}`),
      )
      expect(opsListeners).toEqual([`127.0.0.2:${service.opsPort}`])
    } finally {
      await service.stop()
    }
  })

  it('OTELKIT_OPS_PORT wins over OTEL_EXPORTER_PROMETHEUS_PORT; a bad host serves on with one warning', async () => {
    const unused = await freePort()
    const service = await startService({
      fixture: 'http-app.mjs',
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(unused), OTEL_EXPORTER_PROMETHEUS_HOST: 'not a host' },
    })
    try {
      expect(await scrape('127.0.0.1', service.opsPort)).toBe(200)
      expect(await scrape('127.0.0.1', unused)).toBe('ECONNREFUSED')
      expect((await service.get('/hello')).status).toBe(200)
      const warnings = service
        .stderr()
        .split('\n')
        .filter((l) => l.includes('OTEL_EXPORTER_PROMETHEUS'))
      expect(warnings).toEqual([
        '[otelkit] warn: invalid OTEL_EXPORTER_PROMETHEUS_HOST="not a host": expected a host name or IP address, e.g. 0.0.0.0 or 127.0.0.1; using the default',
      ])
    } finally {
      await service.stop()
    }
  })
})
