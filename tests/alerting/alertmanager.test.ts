/**
 * alertmanager.yml in a real Alertmanager (the stack's build, at the version compose.yaml pins):
 * alerts posted to its API are routed by severity (critical -> page, warning -> ticket) and a
 * service's warnings are inhibited while a critical alert fires for the same service, not for
 * other services.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AlertmanagerServer, startAlertmanager } from '../support/alertmanager.ts'
import { stackBinary } from '../support/stack-bin.ts'

const CONFIG = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'otel-collector',
  'alertmanager',
  'alertmanager.yml',
)

let alertmanager: AlertmanagerServer | undefined
let base = ''

beforeAll(async () => {
  alertmanager = await startAlertmanager({
    bin: stackBinary('alertmanager'),
    config: readFileSync(CONFIG, 'utf8'),
  })
  base = alertmanager.url
})

afterAll(async () => {
  await alertmanager?.stop()
})

interface ApiAlert {
  labels: Record<string, string>
  receivers: { name: string }[]
  status: { state: string; inhibitedBy: string[] }
}

describe('alertmanager.yml in Alertmanager', () => {
  it('routes by severity and inhibits warnings of a service with a critical alert', async () => {
    const now = new Date().toISOString()
    const alert = (alertname: string, severity: string, service_name: string) => ({
      labels: { alertname, severity, service_name },
      annotations: { summary: alertname },
      startsAt: now,
    })
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert('OtelkitDependencyDown', 'critical', 'shop'),
        alert('OtelkitDatabaseSlow', 'warning', 'shop'),
        alert('OtelkitDatabaseSlow', 'warning', 'billing'),
      ]),
    })
    expect(posted.status).toBe(200)
    // Alertmanager computes inhibition asynchronously after ingestion: wait for the state.
    let alerts: ApiAlert[] = []
    const until = Date.now() + 20_000
    for (;;) {
      alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as ApiAlert[]
      const slowShop = alerts.find(
        (a) => a.labels.alertname === 'OtelkitDatabaseSlow' && a.labels.service_name === 'shop',
      )
      if (alerts.length === 3 && slowShop?.status.state === 'suppressed') break
      if (Date.now() > until) break
      await sleep(100)
    }
    const find = (name: string, service: string) =>
      alerts.find((a) => a.labels.alertname === name && a.labels.service_name === service)
    const critical = find('OtelkitDependencyDown', 'shop')
    const inhibited = find('OtelkitDatabaseSlow', 'shop')
    const other = find('OtelkitDatabaseSlow', 'billing')
    expect(critical?.receivers.map((r) => r.name)).toEqual(['page'])
    expect(critical?.status.state).toBe('active')
    expect(inhibited?.receivers.map((r) => r.name)).toEqual(['ticket'])
    expect(inhibited?.status.state).toBe('suppressed')
    expect(inhibited?.status.inhibitedBy).toHaveLength(1)
    expect(other?.receivers.map((r) => r.name)).toEqual(['ticket'])
    expect(other?.status.state).toBe('active')
  })
})
