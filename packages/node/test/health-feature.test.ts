import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { health, healthFeature, healthRoutes } from '../src/health/index.js'
import { type RunningOpsServer, startOpsServer } from '../src/ops/server.js'
import { createTestContext, type TestContext } from './support/health-context.js'
import { freePort } from './support/service.js'

let t: TestContext
let ops: RunningOpsServer
let base: string
let closedPort: number

const BAD_ENTRIES = [
  '=redis://127.0.0.1:6379',
  'bad=not a url',
  'ftp=ftp://127.0.0.1/x',
  'cache=redis://127.0.0.1:6379/1',
  'noequals',
]

beforeAll(async () => {
  closedPort = await freePort()
  const spec = [
    'critical:db=postgres://postgres:secret@127.0.0.1:5432/test',
    'cache=redis://127.0.0.1:6379',
    'mariadb=mariadb://root@127.0.0.1:3306/test',
    `payments=http://127.0.0.1:${closedPort}/health`,
    ...BAD_ENTRIES,
  ].join(',\n')
  t = createTestContext({ healthChecks: spec, healthIntervalMs: 60_000 })
  healthFeature.install(t.ctx)
  ops = startOpsServer({ port: 0, host: '127.0.0.1', debugToken: undefined })
  await once(ops.server, 'listening')
  base = `http://127.0.0.1:${ops.port}`
})

afterAll(async () => {
  await t.shutdown()
  await ops.close()
})

async function get(path: string, method = 'GET') {
  const res = await fetch(`${base}${path}`, { method })
  const text = await res.text()
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: text ? JSON.parse(text) : undefined,
  }
}

describe('declarative checks from OTELKIT_HEALTH_CHECKS', () => {
  it('registers the valid entries and reports each malformed one in one clear line, skipped', () => {
    expect(health.status().checks).toHaveProperty('db')
    expect(Object.keys(health.status().checks).sort()).toEqual(['cache', 'db', 'mariadb', 'payments'])
    const warnings = t.logs.filter((l) => l.includes('OTELKIT_HEALTH_CHECKS entry'))
    expect(warnings).toHaveLength(BAD_ENTRIES.length)
    const expectations: Array<[string, string]> = [
      ['"=redis://127.0.0.1:6379"', 'empty name'],
      ['"bad=not a url"', 'not a valid URL'],
      ['"ftp=ftp://127.0.0.1/x"', 'unknown scheme "ftp"'],
      ['"cache=redis://127.0.0.1:6379/1"', 'duplicate name "cache" (the first entry with this name is kept)'],
      ['"noequals"', 'no "=" between name and URL'],
    ]
    for (const [entry, reason] of expectations) {
      const line = warnings.find((l) => l.includes(entry))
      expect(line, entry).toBeDefined()
      expect(line).toMatch(/^\[otelkit\] warn: /)
      expect(line).toContain(`skipped: ${reason}; accepted form: [critical:]name=url`)
      expect(line?.split('\n')).toHaveLength(1)
    }
    expect(t.logs.join('\n')).not.toContain('secret')
  })
})

describe('/healthz and /readyz on the ops server', () => {
  it('answers liveness with 200 and readiness with the aggregate and each check', async () => {
    const live = await get('/healthz')
    expect(live.status).toBe(200)
    expect(live.body.status).toBe('up')

    const ready = await get('/readyz')
    expect(ready.status).toBe(200)
    expect(ready.type).toContain('application/json')
    expect(ready.body.status).toBe('degraded')
    expect(ready.body.checks.db).toMatchObject({ status: 'up', critical: true, lastError: null })
    expect(ready.body.checks.cache).toMatchObject({ status: 'up', critical: false })
    expect(ready.body.checks.mariadb).toMatchObject({ status: 'up', critical: false })
    expect(ready.body.checks.payments).toMatchObject({ status: 'down', critical: false })
    expect(ready.body.checks.payments.lastError).toContain('ECONNREFUSED')
    for (const state of Object.values(ready.body.checks) as Array<Record<string, unknown>>) {
      expect(typeof state.durationMs).toBe('number')
      expect(Date.parse(state.lastRun as string)).not.toBeNaN()
    }
    expect(Date.parse(ready.body.checks.db.lastSuccess)).not.toBeNaN()
    expect(ready.body.checks.payments.lastSuccess).toBeNull()

    const head = await fetch(`${base}/readyz`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('answers 503 while a critical check is down, 200 again once it is gone', async () => {
    health.register('critical-broken', async () => ({ status: 'down', message: 'primary unreachable' }), {
      critical: true,
    })
    const down = await get('/readyz')
    expect(down.status).toBe(503)
    expect(down.body.status).toBe('down')
    expect(down.body.checks['critical-broken']).toMatchObject({
      status: 'down',
      critical: true,
      lastError: 'primary unreachable',
    })
    expect(t.logs).toContain(
      '[otelkit] warn: critical health check "critical-broken" is down: primary unreachable',
    )
    expect(t.logs.filter((l) => l.includes('"payments" is down: connect ECONNREFUSED'))).toHaveLength(1)
    expect(health.unregister('critical-broken')).toBe(true)
    expect((await get('/readyz')).status).toBe(200)
  })

  it('keeps answering /healthz while a check hangs, and /readyz once its timeout cuts it', async () => {
    let release: () => void = () => {}
    health.register('hangs', () => new Promise<void>((resolve) => (release = resolve)), { timeoutMs: 1500 })
    const order: string[] = []
    const ready = get('/readyz').then((r) => {
      order.push('readyz')
      return r
    })
    const live = await get('/healthz')
    order.push('healthz')
    expect(live.status).toBe(200)
    const readyAnswer = await ready
    expect(order).toEqual(['healthz', 'readyz'])
    expect(readyAnswer.status).toBe(200)
    expect(readyAnswer.body.checks.hangs).toMatchObject({
      status: 'down',
      lastError: 'timed out after 1500 ms',
    })
    release()
    health.unregister('hangs')
  })

  it('runs a check at most once per second however fast /readyz is probed', async () => {
    let runs = 0
    health.register('counted', async () => {
      runs++
    })
    const started = performance.now()
    let probes = 0
    while (performance.now() - started < 2500) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${base}/readyz`)))
      for (const a of answers) {
        expect(a.status).toBe(200)
        await a.arrayBuffer()
      }
      probes += answers.length
    }
    const windows = Math.ceil((performance.now() - started) / 1000)
    expect(probes).toBeGreaterThan(50)
    expect(runs).toBeGreaterThanOrEqual(2)
    expect(runs).toBeLessThanOrEqual(windows + 1)
    health.unregister('counted')
  })

  it("serves the same handlers in the application's own server", async () => {
    const routes = healthRoutes()
    const server = createHttpServer((req, res) => {
      if (req.url === '/readyz') void routes.readyz(req, res)
      else routes.healthz(req, res)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const port = (server.address() as { port: number }).port
    const res = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { checks: Record<string, { status: string }> }).checks.db?.status).toBe(
      'up',
    )
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    const data = await health.readiness()
    expect(data.statusCode).toBe(200)
    server.closeAllConnections()
    server.close()
  })
})

describe('health metrics', () => {
  it('exposes the status per check and overall, and the check duration in seconds', async () => {
    await health.check()
    const metrics = await t.metrics()
    const status = metrics.get('otelkit.health.status')
    const points = new Map(
      status?.dataPoints.map((p) => [p.attributes['health.check.name'] as string, p.value as number]),
    )
    expect(Object.fromEntries(points)).toEqual({ db: 1, cache: 1, mariadb: 1, payments: 0, _overall: 0.5 })
    // Which series may page: critical checks (declared `critical:db=…`) and the aggregate.
    const critical = new Map(
      status?.dataPoints.map((p) => [p.attributes['health.check.name'] as string, p.attributes.critical]),
    )
    expect(Object.fromEntries(critical)).toEqual({
      db: 'true',
      cache: 'false',
      mariadb: 'false',
      payments: 'false',
      _overall: 'true',
    })
    const duration = metrics.get('otelkit.health.check.duration')
    expect(duration?.descriptor.unit).toBe('s')
    const names = duration?.dataPoints.map((p) => p.attributes['health.check.name']).sort()
    // Checks registered and removed earlier keep their (cumulative) duration series.
    expect(names).toEqual(['cache', 'counted', 'critical-broken', 'db', 'hangs', 'mariadb', 'payments'])

    const text = await t.reader.scrape()
    expect(text).toMatch(/^otelkit_health_status\{[^}]*health_check_name="_overall"\} 0\.5$/m)
    expect(text).toMatch(/^otelkit_health_status\{[^}]*health_check_name="db"\} 1$/m)
    expect(text).toMatch(/^otelkit_health_status\{[^}]*critical="true",health_check_name="db"\} 1$/m)
    expect(text).toMatch(/^otelkit_health_status\{[^}]*critical="false",health_check_name="payments"\} 0$/m)
    expect(text).toMatch(
      /^otelkit_health_check_duration_seconds_bucket\{[^}]*health_check_name="db",le="[^"]+"\} \d+$/m,
    )
  })
})

describe('shutdown', () => {
  it('turns readiness to 503 so traffic drains, liveness stays 200', async () => {
    await t.shutdown()
    const ready = await get('/readyz')
    expect(ready.status).toBe(503)
    expect(ready.body.status).toBe('down')
    expect((await get('/healthz')).status).toBe(200)
    expect(health.status().checks).not.toHaveProperty('db')
  })
})
