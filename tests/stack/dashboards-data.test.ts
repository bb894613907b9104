// Every panel query of the service dashboards returns data from a real Prometheus (the stack's
// build) that scraped the instrumented example (examples/shop-api with the preload) every
// second, through the same scrape job as otel-collector/prometheus/prometheus.yml, under a
// short load that exercises errors, the cache, the database and health checks. It evaluates the
// shipped recording rules (the SLO dashboard reads them), every duration divided by 30
// (tests/support/rules-overlay.ts) so that windows of hours fill within the test.
//
// Excluded from the "returns data" check, with the reason: the collector dashboard
// (grafana/dashboards/collector.json). Its series (otelcol_* and traces_span_metrics_*) are
// produced only by an OpenTelemetry Collector, which cannot run here (no binary, no Docker
// engine). Its queries are still run against the same Prometheus and must be valid for it.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ALERTING_FILE, COLLECTOR_DASHBOARDS, SERVICE_DASHBOARDS } from '../../grafana/src/index.ts'
import { type PrometheusServer, startPrometheus } from '../support/prometheus.ts'
import { scaledRuleFiles } from '../support/rules-overlay.ts'
import { type Example, runLoad, startExample } from './lib/example.ts'
import { type GrafanaVars, panelQueries, substitute } from './lib/promql.ts'

const root = new URL('../../', import.meta.url)
const SERVICE = `shop-api-stacktest-${process.pid}`
const dashboard = (name: string) =>
  JSON.parse(readFileSync(new URL(`grafana/dashboards/${name}.json`, root), 'utf8'))

let example: Example
let prom: PrometheusServer
let codes: Record<number, number>
const vars: GrafanaVars = { service: SERVICE, instance: '.+', rateInterval: '1m', range: '5m' }

/** The compose scrape job for the example, pointed at the local example instead. */
function scrapeJob(target: string): Record<string, unknown> {
  const cfg = parse(readFileSync(new URL('otel-collector/prometheus/prometheus.yml', root), 'utf8')) as {
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels?: object }> }>
  }
  const job = structuredClone(cfg.scrape_configs.find((j) => j.job_name === 'shop-api')!)
  job.static_configs = [{ targets: [target], labels: { service_name: SERVICE } }]
  return { ...job, scrape_interval: '1s', scrape_timeout: '1s' }
}

beforeAll(async () => {
  example = await startExample(SERVICE)
  const rules = scaledRuleFiles(new URL('otel-collector/prometheus/rules/', root).pathname, 30)
  prom = await startPrometheus({
    config: {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: Object.keys(rules),
      scrape_configs: [scrapeJob(`127.0.0.1:${example.opsPort}`)],
    },
    files: rules,
  })
  await prom.waitForTargets(1)
  codes = await runLoad(example.url, { rounds: 60, concurrency: 4, maxMs: 15_000 })
  // Let Prometheus scrape the last requests and a few resource/health collection cycles.
  await new Promise((r) => setTimeout(r, 4000))
}, 90_000)

afterAll(async () => {
  await prom?.stop()
  await example?.stop()
})

describe('the load', () => {
  it('produced successes, client errors and server errors', () => {
    expect(codes[200]).toBeGreaterThan(50)
    expect(codes[400]).toBeGreaterThan(0)
    expect(codes[404]).toBeGreaterThan(0)
    expect(codes[500]).toBeGreaterThan(0)
  })

  it('is visible to the dashboards’ service variable (label_values(target_info, service_name))', async () => {
    const values = await prom.api<string[]>('/api/v1/label/service_name/values', { 'match[]': 'target_info' })
    expect(values).toEqual([SERVICE])
  })
})

describe.each(SERVICE_DASHBOARDS.map((n) => [n]))('dashboard %s', (name) => {
  it('has data for every panel query', { timeout: 120_000 }, async () => {
    const empty: string[] = []
    const zeroOnly: string[] = []
    // Recording rules of long windows run in slower groups (every 5 m, 10 s here) and feed each
    // other: a query still empty is asked again until its chain has been evaluated.
    const deadline = Date.now() + 60_000
    for (const q of panelQueries(name, dashboard(name))) {
      let series = await prom.query(substitute(q.expr, vars))
      while (series.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000))
        series = await prom.query(substitute(q.expr, vars))
      }
      if (series.length === 0) empty.push(`${q.panel} [${q.refId}]: ${q.expr}`)
      // Panels ending in `or vector(0)` show 0 when the event never happened (no errors, no
      // evictions): listed so a reader knows which ones only showed the zero here.
      if (q.expr.endsWith(' or vector(0)')) {
        const measured = q.expr.slice(0, -' or vector(0)'.length)
        if ((await prom.query(substitute(measured, vars))).length === 0) zeroOnly.push(q.panel)
      }
    }
    if (zeroOnly.length > 0)
      console.info(`${name}: zero (no such events under the test load): ${zeroOnly.join('; ')}`)
    expect(empty).toEqual([])
  })
})

describe('queries that cannot have data here', () => {
  it.each(COLLECTOR_DASHBOARDS.map((n) => [n]))(
    '%s dashboard: valid for Prometheus (collector-only series)',
    async (name) => {
      const queries = panelQueries(name, dashboard(name))
      expect(queries.length).toBeGreaterThan(3)
      for (const q of queries)
        await expect(prom.query(substitute(q.expr, vars)), q.panel).resolves.toBeInstanceOf(Array)
    },
  )

  it('Grafana alert rule queries run on Prometheus', async () => {
    const doc = parse(readFileSync(new URL(ALERTING_FILE, root), 'utf8')) as {
      groups: Array<{ rules: Array<{ uid: string; data: Array<{ model: { expr?: string } }> }> }>
    }
    const exprs = doc.groups
      .flatMap((g) => g.rules.flatMap((r) => r.data.map((d) => d.model.expr)))
      .filter(Boolean)
    expect(exprs.length).toBeGreaterThanOrEqual(4)
    for (const e of exprs) await expect(prom.query(e!)).resolves.toBeInstanceOf(Array)
  })
})
