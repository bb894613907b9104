import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load.js'
import { healthFeature } from '../src/health/index.js'
import { setLogSink } from '../src/logger.js'
import { HOST_RUNTIME_START_DELAY_MS, resourcesFeature } from '../src/resources/index.js'
import { type RunningSdk, startSdk } from '../src/sdk/start.js'
import { eventually } from './support/eventually.js'

let sdk: RunningSdk
let ops: string

beforeAll(async () => {
  setLogSink(() => {})
  const config = loadConfig(
    {
      serviceName: 'health-sdk-test',
      opsPort: 0,
      opsHost: '127.0.0.1',
      tracesExporter: ['none'],
      metricsExporter: ['prometheus'],
      healthChecks: 'critical:db=postgres://postgres@127.0.0.1:5432/test,cache=redis://127.0.0.1:6379',
    },
    {},
  )
  sdk = startSdk(config, [], [healthFeature, resourcesFeature])
  for (let i = 0; i < 500 && sdk.opsPort() === undefined; i++) await new Promise((r) => setTimeout(r, 10))
  ops = `http://127.0.0.1:${sdk.opsPort()}`
})

afterAll(async () => {
  await sdk.shutdown()
})

describe('health and resources installed by the SDK', () => {
  it('serve /readyz and /healthz on the SDK ops server', async () => {
    // Checks run with their timeouts: on a loaded machine the first run may time out; ask until up.
    let ready = await fetch(`${ops}/readyz`)
    for (let i = 0; i < 20 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500))
      ready = await fetch(`${ops}/readyz`)
    }
    expect(ready.status).toBe(200)
    const body = (await ready.json()) as { status: string; checks: Record<string, { status: string }> }
    expect(body.status).toBe('up')
    expect(body.checks.db?.status).toBe('up')
    expect(body.checks.cache?.status).toBe('up')
    expect((await fetch(`${ops}/healthz`)).status).toBe(200)
  })

  it('put health, host, filesystem, process and runtime series on /metrics with unit suffixes', async () => {
    // Host and runtime sources start a moment after the SDK (off the start-up path).
    await new Promise((r) => setTimeout(r, HOST_RUNTIME_START_DELAY_MS))
    await fetch(`${ops}/readyz`)
    let text = ''
    await eventually(async () => {
      text = await (await fetch(`${ops}/metrics`)).text()
      return (
        text.includes('nodejs_eventloop_utilization_ratio') && text.includes('system_cpu_time_seconds_total')
      )
    })
    const families = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2]),
    )
    for (const name of [
      'otelkit_health_status',
      'otelkit_health_check_duration_seconds',
      'system_cpu_utilization_ratio',
      'system_memory_usage_bytes',
      'system_network_io_bytes_total',
      'system_filesystem_usage_bytes',
      'system_filesystem_utilization_ratio',
      'system_filesystem_limit_bytes',
      'process_cpu_time_seconds_total',
      'process_memory_usage_bytes',
      'nodejs_eventloop_utilization_ratio',
      'nodejs_eventloop_time_seconds_total',
      'v8js_memory_heap_used_bytes',
      'v8js_resource_active',
    ]) {
      expect(families, name).toContain(name)
    }
    expect(text).toMatch(/^otelkit_health_status\{[^}]*health_check_name="_overall"[^}]*\} 1$/m)
    expect(text).toMatch(
      /^system_filesystem_usage_bytes\{[^}]*system_filesystem_mountpoint="\/"[^}]*\} \d+$/m,
    )
    expect(text).toMatch(/^system_filesystem_usage_bytes\{[^}]*service_name="health-sdk-test"/m)
  })

  it('reports down and drops its declarative checks once the SDK shut down', async () => {
    await sdk.shutdown()
    const { health } = await import('../src/health/index.js')
    expect(health.status().status).toBe('down')
    expect(health.status().checks).not.toHaveProperty('db')
  })
})
