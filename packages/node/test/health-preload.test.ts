import { afterAll, describe, expect, it } from 'vitest'
import { eventually } from './support/eventually.js'
import { killAll, type RunningService, startService } from './support/service.js'

const DB = 'postgres://postgres:secret@127.0.0.1:5432/test'

afterAll(() => killAll())

async function ops(service: RunningService, path: string) {
  const res = await fetch(`http://127.0.0.1:${service.opsPort}${path}`)
  const text = await res.text()
  return { status: res.status, text }
}

describe('health and resources through the real preload', () => {
  it('serve /healthz, /readyz and the health, host, process and runtime series on /metrics', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        OTELKIT_HEALTH_CHECKS: `critical:db=${DB},cache=redis://127.0.0.1:6379,bad=ftp://127.0.0.1/x`,
        OTEL_METRICS_EXPORTER: 'prometheus',
      },
    })
    try {
      expect((await ops(service, '/healthz')).status).toBe(200)
      const ready = await ops(service, '/readyz')
      expect(ready.status).toBe(200)
      const body = JSON.parse(ready.text)
      expect(body.status).toBe('up')
      expect(body.checks.db).toMatchObject({ status: 'up', critical: true, lastError: null })
      expect(body.checks.cache).toMatchObject({ status: 'up', critical: false })

      // Host and runtime sources start one second after start-up.
      let text = ''
      await eventually(async () => {
        text = await service.metrics()
        return (
          text.includes('nodejs_eventloop_utilization_ratio') &&
          text.includes('system_cpu_time_seconds_total')
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
        'system_cpu_time_seconds_total',
        'system_memory_usage_bytes',
        'system_network_io_bytes_total',
        'system_filesystem_usage_bytes',
        'system_filesystem_utilization_ratio',
        'system_filesystem_limit_bytes',
        'process_cpu_time_seconds_total',
        'process_memory_usage_bytes',
        'nodejs_eventloop_utilization_ratio',
        'v8js_memory_heap_used_bytes',
        'v8js_resource_active',
      ]) {
        expect(families, name).toContain(name)
      }
      expect(text).toMatch(/^otelkit_health_status\{[^}]*health_check_name="_overall"[^}]*\} 1$/m)
      expect(text).toMatch(
        /^system_filesystem_limit_bytes\{[^}]*system_filesystem_mountpoint="\/"[^}]*\} \d+$/m,
      )

      const lines = service.stderr().split('\n')
      const bad = lines.filter((l) => l.includes('OTELKIT_HEALTH_CHECKS entry'))
      expect(bad).toHaveLength(1)
      expect(bad[0]).toContain('"bad=ftp://127.0.0.1/x" skipped: unknown scheme "ftp"; accepted form:')
      expect(service.stderr()).not.toContain('secret')
    } finally {
      await service.stop()
    }
  })

  it('answers 503 on /readyz while a critical dependency is down, and the service keeps serving', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: { OTELKIT_HEALTH_CHECKS: 'critical:db=postgres://postgres@127.0.0.1:1/test' },
    })
    try {
      const ready = await ops(service, '/readyz')
      expect(ready.status).toBe(503)
      expect(JSON.parse(ready.text).checks.db.lastError).toContain('ECONNREFUSED')
      expect((await service.get('/')).status).toBe(200)
      expect((await ops(service, '/healthz')).status).toBe(200)
    } finally {
      await service.stop()
    }
  })
})
