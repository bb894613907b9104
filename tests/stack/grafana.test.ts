// Grafana provisioning: the generated dashboards and alert rules are up to date, valid for the
// file-provisioning format, refer only to provisioned datasources, and every query parses as PromQL.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ALERTING_FILE, COLLECTOR_DASHBOARDS, render, SERVICE_DASHBOARDS } from '../../grafana/src/index.ts'
import { loadThresholds, type Thresholds } from '../../grafana/src/thresholds.ts'
import { composeConfig } from './lib/compose.ts'
import { panelQueries, promqlErrors, substitute } from './lib/promql.ts'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')
const dashboardFiles = readdirSync(new URL('grafana/dashboards/', root)).filter((f) => f.endsWith('.json'))
const dashboards = Object.fromEntries(
  dashboardFiles.map((f) => [f.replace(/\.json$/, ''), JSON.parse(read(`grafana/dashboards/${f}`))]),
)
const datasources = parse(read('grafana/provisioning/datasources/datasources.yaml')) as {
  apiVersion: number
  datasources: Array<{ uid: string; type: string; url: string; jsonData?: Record<string, unknown> }>
}
const dsUids = datasources.datasources.map((d) => d.uid)
const thresholds = loadThresholds()

describe('generated files', () => {
  it('are committed exactly as grafana/src generates them (run `pnpm exec node grafana/src/generate.ts`)', () => {
    const files = render()
    expect(files.size).toBe(dashboardFiles.length + 1)
    for (const [path, content] of files) expect(read(path), path).toBe(content)
  })

  it('cover the service dashboards and a separate collector dashboard', () => {
    expect(Object.keys(dashboards).sort()).toEqual([...SERVICE_DASHBOARDS, ...COLLECTOR_DASHBOARDS].sort())
  })
})

describe.each(Object.entries(dashboards))('dashboard %s', (name, d) => {
  it('has a unique uid, a title, the service and instance variables', () => {
    expect(d.uid).toMatch(/^otelkit-[a-z-]+$/)
    expect(Object.values(dashboards).filter((o) => o.uid === d.uid)).toHaveLength(1)
    expect(d.title).toMatch(/^otelkit \//)
    const vars = (d.templating?.list ?? []) as Array<{
      name: string
      query: string
      datasource: { uid: string }
    }>
    expect(vars.map((v) => v.name)).toEqual(['service', 'instance'])
    expect(vars[0]!.query).toContain('service_name')
    for (const v of vars) expect(dsUids).toContain(v.datasource.uid)
  })

  it('has panels with a provisioned datasource, unique refIds and at least one query each', () => {
    const panels = (d.panels ?? []).filter((p: { type: string }) => p.type !== 'row')
    expect(panels.length).toBeGreaterThanOrEqual(4)
    for (const p of panels) {
      expect(dsUids, p.title).toContain(p.datasource?.uid)
      expect(p.targets?.length, p.title).toBeGreaterThan(0)
      const refs = p.targets.map((t: { refId: string }) => t.refId)
      expect(new Set(refs).size, p.title).toBe(refs.length)
      expect(p.gridPos.w, p.title).toBeGreaterThan(0)
    }
  })

  it('has queries that parse as PromQL and filter by the variables', () => {
    const queries = panelQueries(name, d)
    for (const q of queries) {
      expect(promqlErrors(substitute(q.expr)), `${q.panel}: ${q.expr}`).toEqual([])
      if (name !== 'collector' || q.expr.includes('traces_span_metrics')) {
        expect(q.expr, q.panel).toContain('$service')
      }
    }
  })
})

describe('syntax check', () => {
  it('reports broken PromQL', () => {
    expect(promqlErrors('sum(rate(x[5m])')).not.toEqual([])
    expect(promqlErrors('rate(x{a="b"}[5m]) / ')).not.toEqual([])
    expect(promqlErrors('histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))')).toEqual([])
  })
})

describe('datasources', () => {
  it('provision Prometheus (default) with exemplar links to Jaeger, and Jaeger with traces-to-metrics', () => {
    const prom = datasources.datasources.find((d) => d.uid === 'prometheus')!
    const jaeger = datasources.datasources.find((d) => d.uid === 'jaeger')!
    expect(prom.url).toBe('http://prometheus:9090')
    expect(jaeger.type).toBe('jaeger')
    expect(jaeger.url).toBe('http://jaeger:16686')
    const exemplars = prom.jsonData?.exemplarTraceIdDestinations as Array<{ datasourceUid: string }>
    for (const e of exemplars) expect(e.datasourceUid).toBe('jaeger')
    const t2m = jaeger.jsonData?.tracesToMetrics as {
      datasourceUid: string
      queries: Array<{ query: string }>
    }
    expect(t2m.datasourceUid).toBe('prometheus')
    for (const q of t2m.queries) {
      expect(q.query).toContain('$$__tags')
      expect(promqlErrors(q.query.replaceAll('$$__tags', 'service_name="x"')), q.query).toEqual([])
    }
  })

  it('point at compose services and the dashboard provider at the mounted directory', () => {
    const compose = composeConfig()
    for (const d of datasources.datasources) {
      const host = new URL(d.url).hostname
      expect(Object.keys(compose.services)).toContain(host)
    }
    const provider = parse(read('grafana/provisioning/dashboards/dashboards.yaml')) as {
      providers: Array<{ type: string; options: { path: string } }>
    }
    const mounts = compose.services.grafana!.volumes!.map((v) => v.target)
    expect(mounts).toContain(provider.providers[0]!.options.path)
    expect(mounts).toContain('/etc/grafana/provisioning')
  })
})

interface AlertDoc {
  apiVersion: number
  groups: Array<{
    orgId: number
    name: string
    folder: string
    interval: string
    rules: Array<{
      uid: string
      title: string
      condition: string
      for: string
      data: Array<{
        refId: string
        datasourceUid: string
        model: { expr?: string; type?: string; expression?: string }
      }>
    }>
  }>
  contactPoints: Array<{ name: string; receivers: Array<{ type: string; settings: { url: string } }> }>
  policies: Array<{ receiver: string }>
}

describe('Grafana-managed alert rules', () => {
  const doc = parse(read(ALERTING_FILE)) as AlertDoc
  const rules = doc.groups.flatMap((g) => g.rules)

  it('are valid file provisioning: apiVersion 1, unique uids, condition refs, known datasources', () => {
    expect(doc.apiVersion).toBe(1)
    expect(rules.map((r) => r.uid).sort()).toEqual([
      'otelkit-dependency-down',
      'otelkit-disk-nearly-full',
      'otelkit-error-ratio-critical',
      'otelkit-slo-fast-burn',
    ])
    for (const g of doc.groups) {
      expect(g.orgId).toBe(1)
      expect(g.interval).toMatch(/^\d+[smh]$/)
    }
    for (const r of rules) {
      expect(
        r.data.map((q) => q.refId),
        r.uid,
      ).toContain(r.condition)
      expect(r.for).toMatch(/^\d+[smh]$/)
      for (const q of r.data) {
        expect([...dsUids, '__expr__'], r.uid).toContain(q.datasourceUid)
        if (q.datasourceUid === 'prometheus') expect(promqlErrors(q.model.expr!), q.model.expr).toEqual([])
        if (q.datasourceUid === '__expr__') {
          for (const ref of q.model.expression!.matchAll(/\$([A-Z])/g)) {
            expect(
              r.data.map((x) => x.refId),
              r.uid,
            ).toContain(ref[1])
          }
        }
      }
    }
    expect(doc.policies[0]!.receiver).toBe(doc.contactPoints[0]!.name)
    expect(doc.contactPoints[0]!.receivers[0]!.settings.url).toBe('http://alertmanager:9093')
  })

  it('take every threshold from otel-collector/thresholds.yaml', () => {
    const condition = (uid: string) =>
      rules.find((r) => r.uid === uid)!.data.find((q) => q.refId === 'C')!.model.expression!
    expect(condition('otelkit-error-ratio-critical')).toBe(`$A > ${thresholds.error_ratio_critical}`)
    expect(condition('otelkit-slo-fast-burn')).toBe(
      `$A > ${thresholds.slo_burn_rate_page_1h} && $B > ${thresholds.slo_burn_rate_page_1h}`,
    )
    expect(condition('otelkit-dependency-down')).toBe(`$A <= ${thresholds.health_down_value}`)
    expect(condition('otelkit-disk-nearly-full')).toBe(`$A > ${thresholds.disk_utilization}`)
    const expr = (uid: string) => rules.find((r) => r.uid === uid)!.data[0]!.model.expr!
    expect(expr('otelkit-error-ratio-critical')).toContain(`> ${thresholds.min_request_rate})`)
    expect(expr('otelkit-slo-fast-burn')).toContain(
      `/ ${Number((1 - thresholds.slo_availability_target).toPrecision(12))}`,
    )
  })

  it('change when a threshold changes: one number, one place', () => {
    const changed: Thresholds = { ...thresholds, error_ratio_critical: 0.37, slo_availability_target: 0.995 }
    const files = render(changed)
    const alerting = files.get(ALERTING_FILE)!
    expect(alerting).toContain('$A > 0.37')
    expect(alerting).toContain('/ 0.005')
    expect(files.get('grafana/dashboards/slo.json')).toContain('/ 0.005')
  })
})
