// Grafana provisioning: the generated dashboards and alert rules are up to date, valid for the
// file-provisioning format, refer only to provisioned datasources (through the `datasource`
// variable), every query parses as PromQL, every stat has thresholds from thresholds.yaml, and
// every link resolves (dashboard uids, the Jaeger datasource, runbook sections).
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
const dashboardUids = Object.values(dashboards).map((d) => d.uid as string)
/** Section anchors of docs/runbook.md, as GitHub renders them. */
const runbookAnchors = new Set(
  [...read('docs/runbook.md').matchAll(/^#{2,3} (.+)$/gm)].map((m) =>
    (m[1] as string)
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-'),
  ),
)

/** The panes of a Grafana Explore link, with its ${...} references filled in. */
function explorePanes(
  url: string,
): Record<string, { datasource: string; queries: Array<Record<string, unknown>> }> {
  const panes = new URL(url, 'http://grafana').searchParams.get('panes')
  expect(panes, url).toBeTruthy()
  return JSON.parse(panes!.replace(/\$\{[^}]+\}/g, 'x'))
}

interface Panel {
  type: string
  title: string
  datasource?: { uid: string }
  fieldConfig?: {
    defaults?: {
      thresholds?: { mode: string; steps: Array<{ value: number | null; color: string }> }
      links?: Array<{ url: string }>
    }
  }
  links?: Array<{ url: string }>
}
const panelsOf = (d: { panels?: Panel[] }) => (d.panels ?? []).filter((p) => p.type !== 'row')

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
  it('has a unique uid, a title, the datasource, service and instance variables', () => {
    expect(d.uid).toMatch(/^otelkit-[a-z-]+$/)
    expect(Object.values(dashboards).filter((o) => o.uid === d.uid)).toHaveLength(1)
    expect(d.title).toMatch(/^otelkit \//)
    const vars = (d.templating?.list ?? []) as Array<{
      name: string
      type: string
      query: string
      current?: { value: string }
      datasource?: { uid: string }
    }>
    expect(vars.slice(0, 3).map((v) => v.name)).toEqual(['datasource', 'service', 'instance'])
    // a datasource picker defaulting to the provisioned Prometheus, no uid hard-coded in queries
    expect(vars[0]!.type).toBe('datasource')
    expect(vars[0]!.query).toBe('prometheus')
    expect(dsUids).toContain(vars[0]!.current!.value)
    // services from target_info: instrumented services, not Prometheus's or the collector's jobs
    expect(vars[1]!.query).toBe('label_values(target_info, service_name)')
    expect(vars[2]!.query).toContain('target_info{')
    for (const v of vars.slice(1, 3)) expect(v.datasource!.uid).toBe(`\${datasource}`)
  })

  it('has thresholds on every stat and gauge', () => {
    const valued = panelsOf(d).filter((p) => ['stat', 'gauge', 'bargauge'].includes(p.type))
    for (const p of valued) {
      const t = p.fieldConfig?.defaults?.thresholds
      expect(t?.mode, p.title).toBe('absolute')
      expect(t!.steps.length, p.title).toBeGreaterThanOrEqual(2)
      expect(t!.steps[0]!.value, p.title).toBeNull()
      const values = t!.steps.slice(1).map((s) => s.value as number)
      expect(values, p.title).toEqual([...values].sort((a, b) => a - b))
    }
  })

  it('has links that resolve: dashboards by uid, trace searches on the Jaeger datasource', () => {
    const urls = [
      ...((d.links ?? []) as Array<{ url: string }>),
      ...panelsOf(d).flatMap((p) => [...(p.links ?? []), ...(p.fieldConfig?.defaults?.links ?? [])]),
    ].map((l) => l.url)
    for (const url of urls) {
      if (url.startsWith('/d/')) expect(dashboardUids, url).toContain(url.split(/[/?]/)[2])
      else {
        expect(url, url).toMatch(/^\/explore\?/)
        for (const pane of Object.values(explorePanes(url))) {
          expect(pane.datasource).toBe('jaeger')
          expect(dsUids).toContain(pane.datasource)
          for (const q of pane.queries) expect(q.queryType).toBe('search')
        }
      }
    }
  })

  it('has panels with a provisioned datasource, unique refIds and at least one query each', () => {
    const panels = (d.panels ?? []).filter((p: { type: string }) => p.type !== 'row')
    expect(panels.length).toBeGreaterThanOrEqual(4)
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe(`\${datasource}`)
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
    // the 60 s OTLP push interval: $__rate_interval never shorter, panels do not gap
    expect(prom.jsonData?.timeInterval).toBe('60s')
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
      noDataState: string
      execErrState: string
      labels: Record<string, string>
      annotations: Record<string, string>
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

describe('the SLO dashboard', () => {
  it('reads 30-day windows that Prometheus keeps: retention of at least 30 days in compose.yaml and scripts/stack.sh', () => {
    const slo = read('grafana/dashboards/slo.json')
    expect(slo).toContain('ratio_rate30d')
    for (const file of ['otel-collector/compose.yaml', 'scripts/stack.sh']) {
      const days = [...read(file).matchAll(/--storage\.tsdb\.retention\.time=(\d+)d/g)].map((m) =>
        Number(m[1]),
      )
      expect(days.length, file).toBeGreaterThan(0)
      for (const d of days) expect(d, file).toBeGreaterThanOrEqual(30)
    }
  })
})

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

  it('mirror Prometheus alerts by name, so Alertmanager groups and inhibits them as one incident', () => {
    const prometheusAlerts = readdirSync(new URL('otel-collector/prometheus/rules/', root))
      .filter((f) => f.startsWith('alerts-'))
      .flatMap((f) =>
        (
          parse(read(`otel-collector/prometheus/rules/${f}`)) as {
            groups: Array<{ rules: Array<{ alert: string }> }>
          }
        ).groups.flatMap((g) => g.rules.map((r) => r.alert)),
      )
    for (const r of rules) {
      expect(prometheusAlerts, r.uid).toContain(r.title)
      expect(r.labels).toEqual({ severity: 'critical', source: 'grafana' })
      // a Prometheus hiccup keeps the last state (no page); no data is OK (the absence rules page)
      expect(r.execErrState, r.uid).toBe('KeepLast')
      expect(r.noDataState, r.uid).toBe('OK')
    }
  })

  it('link their runbook section and dashboard, absolute', () => {
    for (const r of rules) {
      const runbook = r.annotations.runbook_url!
      expect(runbook, r.uid).toBe(`${thresholds.runbook_base_url}#${r.title.toLowerCase()}`)
      expect(runbookAnchors, r.uid).toContain(runbook.split('#')[1])
      expect(dashboardUids, r.uid).toContain(r.annotations.__dashboardUid__)
      expect(r.annotations.dashboard_url, r.uid).toMatch(
        new RegExp(`^${thresholds.grafana_base_url}/d/${r.annotations.__dashboardUid__}\\?`),
      )
    }
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
    expect(expr('otelkit-slo-fast-burn')).toContain(`> ${thresholds.slo_page_min_request_rate})`)
    expect(expr('otelkit-dependency-down')).toContain('critical="true"')
  })

  it('change when a threshold changes: one number, one place', () => {
    const changed: Thresholds = { ...thresholds, error_ratio_critical: 0.37, slo_availability_target: 0.995 }
    const files = render(changed)
    const alerting = files.get(ALERTING_FILE)!
    expect(alerting).toContain('$A > 0.37')
    expect(alerting).toContain('/ 0.005')
    const slo = JSON.parse(files.get('grafana/dashboards/slo.json')!) as { panels: Panel[] }
    const sli = slo.panels.find((p) => p.title === 'Availability SLI (30 days)')!
    expect(sli.fieldConfig!.defaults!.thresholds!.steps.map((s) => s.value)).toEqual([null, 0.995])
    const overview = JSON.parse(files.get('grafana/dashboards/service-overview.json')!) as { panels: Panel[] }
    const ratio = overview.panels.find((p) => p.title === 'Error ratio (5xx)')!
    expect(ratio.fieldConfig!.defaults!.thresholds!.steps.map((s) => s.value)).toEqual([
      null,
      thresholds.error_ratio_warning,
      0.37,
    ])
  })
})
