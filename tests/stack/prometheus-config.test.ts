// otel-collector/prometheus/prometheus.yml: scrape targets, rules and Alertmanager match the
// compose services, each service's metrics take one path, and promtool accepts the config.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { composeConfig } from './lib/compose.ts'
import { servicePorts } from './lib/ports.ts'

interface PromConfig {
  rule_files: string[]
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> }
  otlp?: { promote_resource_attributes: string[] }
  scrape_configs: Array<{
    job_name: string
    honor_labels?: boolean
    static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>
  }>
}

const file = new URL('../../otel-collector/prometheus/prometheus.yml', import.meta.url)
const text = readFileSync(file, 'utf8')
const cfg = parse(text) as PromConfig
const compose = composeConfig()
const ports = servicePorts(compose)
const targetsOf = (job: PromConfig['scrape_configs'][number]) => job.static_configs.flatMap((s) => s.targets)

describe('prometheus.yml', () => {
  it('loads rule files from the mounted rules directory', () => {
    const mount = compose.services.prometheus!.volumes!.find((v) =>
      v.source.endsWith('otel-collector/prometheus/rules'),
    )
    expect(mount).toBeDefined()
    for (const r of cfg.rule_files) expect(r.startsWith(`${mount!.target}/`)).toBe(true)
  })

  it('sends alerts to the compose Alertmanager', () => {
    expect(cfg.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093'])
  })

  it('scrapes only compose services on ports they listen on', () => {
    for (const job of cfg.scrape_configs) {
      for (const t of targetsOf(job)) {
        const [host, port] = t.split(':')
        if (host === 'localhost') continue
        expect(Object.keys(ports), `${job.job_name}: ${t}`).toContain(host)
        expect(ports[host!], `${job.job_name}: ${t}`).toContain(Number(port))
      }
    }
  })

  it("scrapes the example's ops server and the collector's own and span metrics", () => {
    const all = cfg.scrape_configs.flatMap(targetsOf)
    expect(all).toEqual(
      expect.arrayContaining(['shop-api:9464', 'otel-collector:8888', 'otel-collector:8889']),
    )
    const api = cfg.scrape_configs.find((j) => j.job_name === 'shop-api')!
    expect(api.static_configs[0]!.labels?.service_name).toBe(
      compose.services['shop-api']!.environment!.OTEL_SERVICE_NAME,
    )
    expect(api.honor_labels).toBe(true)
  })

  it('takes one metrics path per service: scraped services do not push, pushing services are not scraped', () => {
    const scraped = new Set(cfg.scrape_configs.flatMap(targetsOf).map((t) => t.split(':')[0]))
    for (const [name, s] of Object.entries(compose.services)) {
      const exporters = String(s.environment?.OTEL_METRICS_EXPORTER ?? '').split(',')
      if (scraped.has(name) && s.environment?.OTEL_SERVICE_NAME) expect(exporters, name).not.toContain('otlp')
      if (exporters.includes('otlp')) expect(scraped.has(name), name).toBe(false)
    }
  })

  it('promotes service.name on the OTLP path so pushed series carry service_name', () => {
    expect(cfg.otlp?.promote_resource_attributes).toContain('service.name')
  })

  it('is accepted by promtool (without the otlp section, newer than the Debian promtool)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-promtool-'))
    try {
      const { otlp: _otlp, ...older } = cfg
      const path = join(dir, 'prometheus.yml')
      writeFileSync(path, stringify(older))
      const out = execFileSync('promtool', ['check', 'config', '--syntax-only', path], { encoding: 'utf8' })
      expect(out).toContain('SUCCESS')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
