/**
 * The alerting rules against real metrics: a real Prometheus (Debian binary) scrapes the
 * instrumented example service (examples/shop-api under `--import @otelkit/node/register`) every
 * second while a short load with errors runs, with every rule file loaded. A second small service
 * under the same preload (fixtures/cache-app.mjs) exercises @otelkit/cache, including a cache
 * whose Redis is down, so the cache metrics exist too. Then:
 * - Prometheus loaded and evaluated every rule without an error (/api/v1/rules);
 * - every rule expression parses (@prometheus-io/lezer-promql);
 * - every metric name the rules read exists in the scraped data (/api/v1/label/__name__/values),
 *   except the collector's own `otelcol_*` metrics (COLLECTOR_ONLY below), which only an
 *   OpenTelemetry Collector produces and there is none here.
 * This is what catches a rule written for a metric name nobody emits.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parser } from '@prometheus-io/lezer-promql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { freePort, type PrometheusServer, startPrometheus } from '../support/prometheus.ts'
import { ruleFilesAtGlobalInterval } from '../support/rules-overlay.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const EXAMPLE = join(ROOT, 'examples', 'shop-api')
const RULES_DIR = join(ROOT, 'otel-collector', 'prometheus', 'rules')
const SERVICE = `shop-api-alerting-${process.pid}`
const CACHE_SERVICE = `${SERVICE}-cache`
const CACHE_APP = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'cache-app.mjs')
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Metrics the rules read that only an OpenTelemetry Collector exports (its own telemetry);
 * the SDK cannot produce them and no collector binary is available here. Nothing else may be
 * missing.
 */
const COLLECTOR_ONLY = /^otelcol_/

interface Rule {
  record?: string
  alert?: string
  expr: string
}

const rules: Rule[] = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .flatMap((f) =>
    (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
      (g) => g.rules,
    ),
  )

/** Metric names in an expression, and whether it parsed without error. */
function analyse(expr: string): { names: string[]; errors: string[] } {
  const tree = parser.parse(expr)
  const names: string[] = []
  const errors: string[] = []
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.to + 10))}`)
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier')
        if (id) names.push(expr.slice(id.from, id.to))
      }
    },
  })
  return { names, errors }
}

let service: ChildProcess | undefined
let cacheApp: ChildProcess | undefined
let prom: PrometheusServer | undefined
let serviceLog = ''

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${serviceLog.slice(-3000)}`)
    await sleep(200)
  }
}

/** A short load covering every route, with 4xx, 5xx, failing upstream calls and slow reports. */
async function load(base: string, seconds: number): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {}
  const requests: [string, RequestInit?][] = [
    ['/products'],
    ['/products/1'],
    ['/products/2'],
    ['/products/99999999'],
    ['/products/search?q=wid'],
    ['/products/search?q=a'],
    ['/fail'],
    ['/upstream'],
    ['/reports/slow'],
    [
      '/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alerting@example.com', items: [{ productId: 1, quantity: 1 }] }),
      },
    ],
    [
      '/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [] }),
      },
    ],
  ]
  const until = Date.now() + seconds * 1000
  const worker = async () => {
    let i = 0
    while (Date.now() < until) {
      const [path, init] = requests[i++ % requests.length] as [string, RequestInit?]
      const res = await fetch(`${base}${path}`, init).catch(() => undefined)
      if (res) {
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        await res.arrayBuffer()
      }
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  return statuses
}

beforeAll(async () => {
  const node = process.execPath
  const migrate = spawnSync(node, ['dist/migrate.js'], {
    cwd: EXAMPLE,
    env: { ...process.env, DATABASE_URL, SEED_PRODUCTS: '200', NODE_OPTIONS: '' },
    encoding: 'utf8',
  })
  if (migrate.status !== 0) throw new Error(`migration failed: ${migrate.stderr}`)

  const port = await freePort()
  const opsPort = await freePort()
  const closedPort = await freePort()
  service = spawn(node, ['--import', '@otelkit/node/register', 'dist/server.js'], {
    cwd: EXAMPLE,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      OTELKIT_OPS_PORT: String(opsPort),
      OTELKIT_OPS_HOST: '127.0.0.1',
      DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `otelkit-test:alerting:${process.pid}:`,
      OTEL_SERVICE_NAME: SERVICE,
      // Spans go to a closed port: exports fail and are counted in otelkit_telemetry_dropped_total,
      // the SDK's own drop metric that the telemetry alert reads.
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTELKIT_RESOURCE_INTERVAL: '1s',
      OTELKIT_HEALTH_INTERVAL: '1s',
      OTELKIT_HEALTH_CHECKS: `postgres=${DATABASE_URL},redis=redis://127.0.0.1:6379`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  service.stdout?.on('data', (b: Buffer) => {
    serviceLog = (serviceLog + b.toString()).slice(-20_000)
  })
  service.stderr?.on('data', (b: Buffer) => {
    serviceLog = (serviceLog + b.toString()).slice(-20_000)
  })
  await waitFor('the example service', async () =>
    (await fetch(`http://127.0.0.1:${port}/products`)).ok ? true : undefined,
  )
  await waitFor('the ops server', async () =>
    (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).ok ? true : undefined,
  )

  const cacheOpsPort = await freePort()
  const redisDownPort = await freePort()
  cacheApp = spawn(node, ['--import', '@otelkit/node/register', CACHE_APP], {
    cwd: EXAMPLE,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      OTELKIT_OPS_PORT: String(cacheOpsPort),
      OTELKIT_OPS_HOST: '127.0.0.1',
      OTEL_SERVICE_NAME: CACHE_SERVICE,
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'prometheus',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_DOWN_PORT: String(redisDownPort),
      REDIS_PREFIX: `otelkit-test:alerting-cache:${process.pid}:`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  cacheApp.stderr?.on('data', (b: Buffer) => {
    serviceLog = (serviceLog + b.toString()).slice(-20_000)
  })
  await waitFor('the cache app', async () =>
    (await fetch(`http://127.0.0.1:${cacheOpsPort}/metrics`)).ok ? true : undefined,
  )

  // the shipped rules, every group evaluated each second (the 30-day SLO group's own 5m interval
  // removed, so that it too is evaluated before the test checks every rule's health)
  const ruleFiles = ruleFilesAtGlobalInterval(RULES_DIR)
  prom = await startPrometheus({
    files: ruleFiles,
    config: {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: Object.keys(ruleFiles),
      scrape_configs: [
        { job_name: 'shop-api', static_configs: [{ targets: [`127.0.0.1:${opsPort}`] }] },
        { job_name: 'cache-app', static_configs: [{ targets: [`127.0.0.1:${cacheOpsPort}`] }] },
      ],
    },
  })
  await prom.waitForTargets(2)
  const statuses = await load(`http://127.0.0.1:${port}`, 6)
  // the load produced what the rules are about: successes, 4xx and 5xx
  expect(Object.keys(statuses).map(Number)).toEqual(expect.arrayContaining([200, 400, 404, 500]))
  // two scrapes after the load ended
  const loadEnd = Date.now() / 1000
  await waitFor('a scrape after the load', async () => {
    const samples = await (prom as PrometheusServer).query('timestamp(up)')
    return samples.some((s) => Number(s.value[1]) > loadEnd + 1) ? true : undefined
  })
}, 180_000)

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

afterAll(async () => {
  await prom?.stop()
  await stopChild(service)
  await stopChild(cacheApp)
})

describe('rules against metrics scraped from the instrumented example', () => {
  it('are all loaded and evaluated by Prometheus without an error', async () => {
    const server = prom as PrometheusServer
    type ApiRule = { name: string; health: string; lastError?: string }
    const groups = await waitFor('every rule evaluated', async () => {
      const data = await server.api<{ groups: { name: string; rules: ApiRule[] }[] }>('/api/v1/rules')
      const all = data.groups.flatMap((g) => g.rules)
      return all.length === rules.length && all.every((r) => r.health !== 'unknown') ? data.groups : undefined
    })
    const failing = groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health !== 'ok')
      .map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)
    expect(failing).toEqual([])
  })

  it('every expression parses', () => {
    const broken = rules
      .map((r) => ({ rule: r.record ?? r.alert, errors: analyse(r.expr).errors }))
      .filter((r) => r.errors.length > 0)
    expect(broken).toEqual([])
  })

  it('every metric name the rules read is exported by the SDK (collector metrics aside)', async () => {
    const server = prom as PrometheusServer
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])))
    const used = new Set(rules.flatMap((r) => analyse(r.expr).names).filter((n) => !recorded.has(n)))
    const exported = new Set(
      await server.api<string[]>('/api/v1/label/__name__/values', {
        'match[]': `{service_name=~"${SERVICE}|${CACHE_SERVICE}"}`,
      }),
    )
    // `up`: written by Prometheus for every scrape target (the absence rules read it)
    expect((await server.query('up')).length).toBeGreaterThan(0)
    const missing = [...used].filter((n) => !exported.has(n) && !COLLECTOR_ONLY.test(n) && n !== 'up').sort()
    expect(missing).toEqual([])
    // the allowlist only covers collector metrics
    expect([...used].filter((n) => COLLECTOR_ONLY.test(n)).every((n) => n.startsWith('otelcol_'))).toBe(true)
  })

  it('the recording rules produce series for the example service', async () => {
    const server = prom as PrometheusServer
    const ratio = await server.query(
      `service_route:http_server_5xx:ratio_rate5m{service_name="${SERVICE}",http_route="/fail"}`,
    )
    expect(ratio.map((s) => Number(s.value[1]))).toEqual([1])
    const burn = await server.query(`service:slo_availability:burn_rate5m{service_name="${SERVICE}"}`)
    expect(burn).toHaveLength(1)
    expect(Number(burn[0]?.value[1])).toBeGreaterThan(0)
  })
})
