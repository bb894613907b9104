/**
 * The alert pipeline end to end, on the built Prometheus and Alertmanager of the stack: the
 * example service runs under the preload with fault injection (FAULT_CONTROL=on); Prometheus
 * scrapes it every second and evaluates the generated rules, with every duration divided by
 * SCALE through a rules overlay (tests/support/rules-overlay.ts; the shipped files are only
 * read); Alertmanager runs the shipped routing with its webhook receivers pointed at this test.
 * The always-firing watchdog reaches the `heartbeat` receiver. Half of all requests failing
 * makes OtelkitHighErrorRatioCritical reach the `page` receiver; once the failures stop, the
 * same alert arrives resolved. A stopped service pages once, through OtelkitJobDown (its
 * "stopped reporting" alert stays out of it).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { type Example, startExample } from '../stack/lib/example.ts'
import {
  type AlertmanagerServer,
  type Notification,
  startAlertmanager,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/alertmanager.ts'
import { type PrometheusServer, startPrometheus } from '../support/prometheus.ts'
import { scaleDuration, scaledRuleFiles } from '../support/rules-overlay.ts'
import { stackBinary } from '../support/stack-bin.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const RULES_DIR = join(ROOT, 'otel-collector', 'prometheus', 'rules')
const ALERTMANAGER_CONFIG = join(ROOT, 'otel-collector', 'alertmanager', 'alertmanager.yml')
/** Production durations divided by this: 5m of data and 5m of `for` become 10 s each. */
const SCALE = 30
const ALERT = 'OtelkitHighErrorRatioCritical'

interface Route {
  group_wait?: string
  group_interval?: string
  repeat_interval?: string
  routes?: Route[]
}

/** The shipped Alertmanager config with webhooks sent to `hookUrl/<receiver>` and timers scaled. */
function alertmanagerOverlay(hookUrl: string): Record<string, unknown> {
  const config = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as {
    route: Route
    receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>
  }
  const scale = (route: Route) => {
    for (const key of ['group_wait', 'group_interval'] as const) {
      if (route[key]) route[key] = scaleDuration(route[key]!, SCALE)
    }
    for (const child of route.routes ?? []) scale(child)
  }
  scale(config.route)
  for (const receiver of config.receivers) {
    for (const hook of receiver.webhook_configs ?? []) hook.url = `${hookUrl}/${receiver.name}`
  }
  return config as unknown as Record<string, unknown>
}

let hook: WebhookReceiver
let alertmanager: AlertmanagerServer
let prometheus: PrometheusServer
let example: Example
let loading = true
let load: Promise<void> = Promise.resolve()

const ours = (n: Notification, status: 'firing' | 'resolved') =>
  n.path === '/page' &&
  n.alerts.some(
    (a) =>
      a.labels.alertname === ALERT && a.labels.service_name === example.serviceName && a.status === status,
  )

beforeAll(async () => {
  hook = await startWebhookReceiver()
  alertmanager = await startAlertmanager({
    bin: stackBinary('alertmanager'),
    config: alertmanagerOverlay(hook.url),
  })
  example = await startExample(`shop-api-alerts-${process.pid}`, { env: { FAULT_CONTROL: 'on' } })
  const ruleFiles = scaledRuleFiles(RULES_DIR, SCALE)
  prometheus = await startPrometheus({
    bin: stackBinary('prometheus'),
    config: {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: Object.keys(ruleFiles),
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanager.port}`] }] }] },
      scrape_configs: [
        {
          job_name: 'shop-api',
          honor_labels: true,
          static_configs: [
            { targets: [`127.0.0.1:${example.opsPort}`], labels: { service_name: example.serviceName } },
          ],
        },
      ],
    },
    files: ruleFiles,
    args: ['--rules.alert.resend-delay=1s'],
  })
  // Steady traffic, about 20 requests a second, for as long as the test runs.
  load = (async () => {
    while (loading) {
      await fetch(`${example.url}/products/${1 + Math.floor(Math.random() * 50)}`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined)
      await sleep(50)
    }
  })()
}, 120_000)

afterAll(async () => {
  loading = false
  await load
  await prometheus?.stop()
  await example?.stop()
  await alertmanager?.stop()
  await hook?.close()
})

const setErrorRate = async (rate: number) => {
  const res = await fetch(`${example.url}/internal/faults?error_rate=${rate}`, { method: 'PUT' })
  expect(await res.json()).toEqual({ errorRate: rate })
}

describe('alerts end to end on the built Prometheus and Alertmanager', () => {
  it('sends the watchdog to the heartbeat receiver, and nowhere else', async () => {
    const all = await hook.waitFor(
      (n) =>
        n.some(
          (x) => x.path === '/heartbeat' && x.alerts.some((a) => a.labels.alertname === 'OtelkitWatchdog'),
        ),
      60_000,
    )
    const beat = all.find((x) => x.path === '/heartbeat')!
    expect(beat.receiver).toBe('heartbeat')
    expect(beat.alerts.map((a) => a.labels.alertname)).toEqual(['OtelkitWatchdog'])
    expect(
      all.filter(
        (x) => x.path !== '/heartbeat' && x.alerts.some((a) => a.labels.alertname === 'OtelkitWatchdog'),
      ),
    ).toEqual([])
  })

  it('loads every generated rule without an evaluation error', async () => {
    await prometheus.waitForTargets(1)
    await sleep(3000)
    const data = await prometheus.api<{
      groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>
    }>('/api/v1/rules')
    const rules = data.groups.flatMap((g) => g.rules)
    expect(rules.length).toBeGreaterThan(20)
    expect(rules.filter((r) => r.health === 'err').map((r) => `${r.name}: ${r.lastError}`)).toEqual([])
  })

  it('stays silent while the service is healthy', async () => {
    await sleep(15_000)
    expect(hook.notifications.filter((n) => ours(n, 'firing'))).toEqual([])
  })

  it('pages when half of the requests fail, and resolves once they stop', async () => {
    await setErrorRate(0.5)
    const firing = await hook.waitFor((all) => all.some((n) => ours(n, 'firing')), 120_000)
    const page = firing.find((n) => ours(n, 'firing'))!
    expect(page.receiver).toBe('page')
    const alert = page.alerts.find((a) => a.labels.alertname === ALERT)!
    expect(alert.labels.severity).toBe('critical')
    expect(alert.annotations.summary).toContain(example.serviceName)

    await setErrorRate(0)
    await hook.waitFor((all) => all.some((n) => ours(n, 'resolved')), 180_000)
  })

  it('pages once when the service stops: OtelkitJobDown, with links, and no "stopped reporting" alert beside it', async () => {
    await example.stop()
    const all = await hook.waitFor(
      (n) =>
        n.some(
          (x) =>
            x.path === '/page' &&
            x.alerts.some(
              (a) =>
                a.labels.alertname === 'OtelkitJobDown' &&
                a.labels.service_name === example.serviceName &&
                a.status === 'firing',
            ),
        ),
      120_000,
    )
    const alert = all
      .flatMap((n) => n.alerts)
      .find((a) => a.labels.alertname === 'OtelkitJobDown' && a.labels.service_name === example.serviceName)!
    expect(alert.labels.severity).toBe('critical')
    expect(alert.annotations.runbook_url).toMatch(/^https?:\/\/.+#otelkitjobdown$/)
    expect(alert.annotations.dashboard_url).toContain(
      `/d/otelkit-service-overview?var-service=${example.serviceName}`,
    )
    // the absence rule leaves a service with a down scrape target to OtelkitJobDown
    const active = await prometheus.api<{ alerts: Array<{ labels: Record<string, string> }> }>(
      '/api/v1/alerts',
    )
    expect(
      active.alerts.filter(
        (a) => a.labels.alertname === 'OtelkitServiceAbsent' && a.labels.service_name === example.serviceName,
      ),
    ).toEqual([])
    expect(all.flatMap((n) => n.alerts).filter((a) => a.labels.alertname === 'OtelkitServiceAbsent')).toEqual(
      [],
    )
  })
})
