// otel-collector/prometheus/prometheus.yml: scrape targets, rules and Alertmanager match the
// compose services, each service's metrics take one path, and the stack's promtool (the version
// compose.yaml pins) accepts the whole config with the rule files it loads.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { stackBinary } from '../support/stack-bin.ts'
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
  it('loads rule files from the mounted rules directory (paths relative to the config file)', () => {
    const volumes = compose.services.prometheus!.volumes!
    const rules = volumes.find((v) => v.source.endsWith('otel-collector/prometheus/rules'))
    const config = volumes.find((v) => v.source.endsWith('otel-collector/prometheus/prometheus.yml'))
    expect(rules).toBeDefined()
    expect(config).toBeDefined()
    for (const r of cfg.rule_files) {
      expect(r.startsWith('/'), r).toBe(false)
      expect(posix.join(posix.dirname(config!.target), r).startsWith(`${rules!.target}/`), r).toBe(true)
    }
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

  it('is accepted by promtool, with every rule file it loads', () => {
    const out = execFileSync(stackBinary('promtool'), ['check', 'config', fileURLToPath(file)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    expect(out).toContain('SUCCESS')
    expect(out).toMatch(/SUCCESS: \d+ rules found/)
  })
})
