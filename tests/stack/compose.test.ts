// otel-collector/compose.yaml: valid for docker-compose, every mounted file exists, ports are
// unique, depends_on targets exist, images are pinned, the collector is memory-limited, and
// each service's metrics take one path.
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { bytes, type ComposeConfig, composeConfig } from './lib/compose.ts'

const compose: ComposeConfig = composeConfig()
const services = Object.entries(compose.services)

describe('compose.yaml', () => {
  it('is accepted by docker-compose config and defines the whole stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'alertmanager',
        'grafana',
        'jaeger',
        'loadgen',
        'otel-collector',
        'otel-gateway',
        'postgres',
        'prometheus',
        'redis',
        'shop-api',
        'shop-api-migrate',
      ].sort(),
    )
  })

  it('mounts only files and directories that exist in the repository', () => {
    const binds = services.flatMap(([name, s]) =>
      (s.volumes ?? []).filter((v) => v.type === 'bind').map((v) => ({ name, source: v.source! })),
    )
    expect(binds.length).toBeGreaterThan(5)
    const missing = binds.filter((b) => !existsSync(b.source))
    expect(missing).toEqual([])
  })

  it('keeps data in named volumes that are declared', () => {
    const named = services.flatMap(([, s]) =>
      (s.volumes ?? []).filter((v) => v.type === 'volume').map((v) => v.source!),
    )
    expect(named.length).toBeGreaterThanOrEqual(5)
    for (const v of named) expect(Object.keys(compose.volumes ?? {})).toContain(v)
  })

  it('publishes every host port once', () => {
    const published = services.flatMap(([, s]) =>
      (s.ports ?? []).map((p) => `${p.published}/${p.protocol ?? 'tcp'}`),
    )
    expect(published.length).toBeGreaterThan(5)
    expect(new Set(published).size).toBe(published.length)
  })

  it('publishes the documented ports (DESIGN.md)', () => {
    const pub = (name: string) => (compose.services[name]?.ports ?? []).map((p) => Number(p.published))
    expect(pub('shop-api')).toEqual(expect.arrayContaining([8080, 9464]))
    expect(pub('otel-collector')).toEqual(expect.arrayContaining([4317, 4318, 13133]))
    expect(pub('prometheus')).toEqual([9090])
    expect(pub('alertmanager')).toEqual([9093])
    expect(pub('grafana')).toEqual([3000])
    expect(pub('jaeger')).toEqual([16686])
  })

  it('depends only on services that exist, with a condition each', () => {
    for (const [name, s] of services) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(Object.keys(compose.services), `${name} depends on ${dep}`).toContain(dep)
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition)
        if (condition === 'service_healthy')
          expect(compose.services[dep]?.healthcheck, `${dep} healthcheck`).toBeDefined()
      }
    }
  })

  it('pins every image to an exact version', () => {
    for (const [name, s] of services) {
      if (!s.image) continue
      expect(s.image, name).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/)
      expect(s.image, name).not.toMatch(/:(latest|main|edge)$/)
      if (!s.build && !s.image.startsWith('otelkit/'))
        expect(s.image, name).toMatch(/:v?\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/)
    }
  })

  it('limits the collector memory and sets GOMEMLIMIT below the limit', () => {
    const c = compose.services['otel-collector']!
    const limit = bytes(c.mem_limit)
    const soft = bytes(c.environment?.GOMEMLIMIT ?? undefined)
    expect(limit).toBeGreaterThan(0)
    expect(soft).toBeGreaterThan(0)
    expect(soft).toBeLessThan(limit)
  })

  it('builds the example with the preload and runs its migration first', () => {
    const api = compose.services['shop-api']!
    const migrate = compose.services['shop-api-migrate']!
    expect(migrate.build?.dockerfile).toBe('otel-collector/shop-api.Dockerfile')
    expect(existsSync(new URL('../../otel-collector/shop-api.Dockerfile', import.meta.url))).toBe(true)
    expect(migrate.command).toEqual(['node', 'dist/migrate.js'])
    expect(api.image).toBe(migrate.image)
    expect(api.depends_on?.['shop-api-migrate']?.condition).toBe('service_completed_successfully')
    expect(api.environment).toMatchObject({
      OTEL_SERVICE_NAME: 'shop-api',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      PORT: '8080',
      OTELKIT_OPS_PORT: '9464',
    })
  })

  it('gives the example one metrics path: scraped, not pushed', () => {
    expect(compose.services['shop-api']!.environment?.OTEL_METRICS_EXPORTER).toBe('prometheus')
  })

  it('starts Prometheus with the OTLP receiver, exemplar storage and the rules mounted', () => {
    const p = compose.services.prometheus!
    const cmd = Array.isArray(p.command) ? p.command : [String(p.command)]
    expect(cmd).toContain('--web.enable-otlp-receiver')
    expect(cmd).toContain('--enable-feature=exemplar-storage')
    const rules = p.volumes?.find((v) => v.target === '/etc/prometheus/rules')
    expect(rules?.source).toMatch(/otel-collector\/prometheus\/rules$/)
  })
})
