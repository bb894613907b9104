/**
 * The alerting configuration, checked with the real tools (the stack's promtool and amtool, at
 * the versions compose.yaml pins): the committed rule files equal the
 * generator's output from thresholds.yaml; `promtool check rules` and `promtool test rules`
 * pass; every alert has a firing and a not-firing case, the fields a notification needs, and a
 * runbook section; `amtool check-config` passes and routes by severity.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  loadThresholds,
  parseThresholds,
  THRESHOLD_KEYS,
} from '../../otel-collector/prometheus/thresholds.ts'
import { stackBinary } from '../support/stack-bin.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const PROM_DIR = join(ROOT, 'otel-collector', 'prometheus')
const RULES_DIR = join(PROM_DIR, 'rules')
const TESTS_DIR = join(PROM_DIR, 'tests')
const ALERTMANAGER = join(ROOT, 'otel-collector', 'alertmanager', 'alertmanager.yml')
const RUNBOOK = join(ROOT, 'docs', 'runbook.md')
const DASHBOARDS_DIR = join(ROOT, 'grafana', 'dashboards')
/** The always-firing heartbeat: it has no "not firing" case by design. */
const WATCHDOG = 'OtelkitWatchdog'

function run(file: string, args: string[], cwd = ROOT): { status: number | null; output: string } {
  const result = spawnSync(file, args, { cwd, encoding: 'utf8' })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

interface Rule {
  alert?: string
  record?: string
  expr: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
const rules: Rule[] = ruleFiles.flatMap((f) =>
  (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  ),
)
const alerts = rules.filter((r) => r.alert !== undefined)
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.test.yml'))
  .sort()

describe('generated rule files', () => {
  it('equal what generate-rules.ts writes from thresholds.yaml', () => {
    const node = process.execPath
    const result = run(node, ['--experimental-strip-types', join(PROM_DIR, 'generate-rules.ts'), '--check'])
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })

  it('cover every area', () => {
    expect(ruleFiles).toEqual([
      'alerts-absence.yml',
      'alerts-dependencies.yml',
      'alerts-host.yml',
      'alerts-http.yml',
      'alerts-slo.yml',
      'alerts-telemetry.yml',
      'recording.yml',
    ])
    expect(alerts.length).toBeGreaterThanOrEqual(32)
  })
})

describe('thresholds.yaml', () => {
  const text = readFileSync(join(ROOT, 'otel-collector', 'thresholds.yaml'), 'utf8')

  it('is a flat map of every key to a number (links: an absolute URL), each key documented by a comment above it', () => {
    const t = parseThresholds(text)
    expect(Object.keys(t).sort()).toEqual([...THRESHOLD_KEYS, 'grafana_base_url', 'runbook_base_url'].sort())
    const lines = text.split('\n')
    for (const key of Object.keys(t)) {
      const at = lines.findIndex((l) => l.startsWith(`${key}:`))
      expect(lines[at - 1], key).toMatch(/^#/)
    }
  })

  it('is refused by the generator with a missing, non-numeric or unknown key', () => {
    expect(() => parseThresholds(text.replace(/^min_request_rate:.*$/m, ''))).toThrow(
      /"min_request_rate" missing/,
    )
    expect(() => parseThresholds(text.replace(/^cpu_utilization:.*$/m, 'cpu_utilization: high'))).toThrow(
      /"cpu_utilization" missing or not a number/,
    )
    expect(() => parseThresholds(`${text}\nnew_threshold: 1\n`)).toThrow(/unknown key "new_threshold"/)
    expect(() =>
      parseThresholds(text.replace(/^runbook_base_url:.*$/m, 'runbook_base_url: docs/runbook.md')),
    ).toThrow(/"runbook_base_url" missing or not an absolute http\(s\) URL/)
  })
})

describe('promtool', () => {
  const promtool = stackBinary('promtool')

  it('check rules: every file is valid', () => {
    const result = run(promtool, ['check', 'rules', ...ruleFiles.map((f) => join(RULES_DIR, f))])
    expect(result.output).not.toMatch(/FAILED/)
    expect(result.status).toBe(0)
  })

  // The SLO files evaluate days of 1-minute data over windows up to 3 days: about a minute of
  // CPU for all files on a loaded 2-core machine, hence the longer limit.
  it('test rules: every test file passes', () => {
    const result = run(promtool, ['test', 'rules', ...testFiles], TESTS_DIR)
    expect(result.output).not.toMatch(/FAILED/)
    expect(result.output.match(/SUCCESS/g)).toHaveLength(testFiles.length)
    expect(result.status).toBe(0)
  }, 240_000)

  it('every alert has a firing and a not-firing case', () => {
    const cases = new Map<string, { firing: number; quiet: number }>()
    for (const f of testFiles) {
      const doc = parse(readFileSync(join(TESTS_DIR, f), 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[]
      }
      for (const t of doc.tests) {
        for (const a of t.alert_rule_test ?? []) {
          const c = cases.get(a.alertname) ?? { firing: 0, quiet: 0 }
          if ((a.exp_alerts ?? []).length > 0) c.firing++
          else c.quiet++
          cases.set(a.alertname, c)
        }
      }
    }
    const missing = alerts
      .map((a) => a.alert as string)
      .filter((name) => {
        const c = cases.get(name)
        return c === undefined || c.firing === 0 || (c.quiet === 0 && name !== WATCHDOG)
      })
    expect(missing).toEqual([])
  })
})

describe('every alert', () => {
  const runbook = readFileSync(RUNBOOK, 'utf8')
  const anchors = new Set(
    [...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) =>
      (m[1] as string)
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  )
  const t = loadThresholds()
  const dashboardUids = readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(join(DASHBOARDS_DIR, f), 'utf8')) as { uid: string }).uid)

  it.each(alerts.map((a) => [a.alert as string, a]))(
    '%s: severity, summary, description with the value, absolute runbook and dashboard links',
    (name, a) => {
      expect(name === WATCHDOG ? ['none'] : ['critical', 'warning']).toContain(a.labels?.severity)
      expect(a.annotations?.summary).toBeTruthy()
      expect(a.annotations?.description).toContain('$value')
      const url = a.annotations?.runbook_url ?? ''
      expect(url).toBe(`${t.runbook_base_url}#${name.toLowerCase()}`)
      expect(url).toMatch(/^https?:\/\//)
      expect(anchors).toContain(url.split('#')[1])
      const dashboard = a.annotations?.dashboard_url ?? ''
      expect(dashboard.startsWith(`${t.grafana_base_url}/d/`)).toBe(true)
      expect(dashboardUids).toContain(dashboard.slice(`${t.grafana_base_url}/d/`.length).split('?')[0])
    },
  )
})

describe('alertmanager.yml', () => {
  const amtool = stackBinary('amtool')

  it('passes amtool check-config', () => {
    const result = run(amtool, ['check-config', ALERTMANAGER])
    expect(result.output).toContain('SUCCESS')
    expect(result.status).toBe(0)
  })

  it('routes critical alerts to the page receiver and warnings to the ticket receiver', () => {
    const route = (...labels: string[]) =>
      execFileSync(amtool, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER}`, ...labels], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim()
    expect(route('severity=critical', 'alertname=OtelkitDependencyDown', 'service_name=shop')).toBe('page')
    expect(route('severity=none', `alertname=${WATCHDOG}`)).toBe('heartbeat')
    expect(route('severity=warning', 'alertname=OtelkitHighLatencyP95', 'service_name=shop')).toBe('ticket')
    expect(route('alertname=Unlabelled')).toBe('ticket')
  })

  it('groups by alert name, service and host, and inhibits: warnings under a critical alert, the Grafana copy under its Prometheus alert, the absence under a down job', () => {
    const config = parse(readFileSync(ALERTMANAGER, 'utf8')) as {
      route: { group_by: string[]; routes: Array<{ receiver: string; matchers: string[] }> }
      inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[]
    }
    expect(config.route.group_by).toEqual(['alertname', 'service_name', 'host'])
    expect(config.route.routes[0]).toMatchObject({
      receiver: 'heartbeat',
      matchers: [`alertname="${WATCHDOG}"`],
    })
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['service_name', 'host'],
      },
      {
        source_matchers: ['source!="grafana"'],
        target_matchers: ['source="grafana"'],
        equal: ['alertname', 'service_name', 'host'],
      },
      {
        source_matchers: ['alertname="OtelkitJobDown"'],
        target_matchers: ['alertname="OtelkitServiceAbsent"'],
        equal: ['service_name'],
      },
    ])
  })
})
