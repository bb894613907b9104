// Collector configs (otel-collector/otelcol.yaml, gateway.yaml) against the pinned
// otelcol-contrib release's component list and the compose services they talk to.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  type CollectorConfig,
  type ComponentList,
  exporterTargets,
  listenPorts,
  processorOrder,
  readYaml,
  validateCollector,
} from './lib/collector.ts'
import { composeConfig } from './lib/compose.ts'
import { servicePorts as allPorts } from './lib/ports.ts'

const dir = new URL('../../otel-collector/', import.meta.url)
const compose = composeConfig()
const image = compose.services['otel-collector']!.image!
const version = image.split(':')[1]!
const components = JSON.parse(
  readFileSync(new URL(`components/${version}.json`, dir), 'utf8'),
) as ComponentList
const agent = readYaml<CollectorConfig>(new URL('otelcol.yaml', dir))
const gateway = readYaml<CollectorConfig>(new URL('gateway.yaml', dir))
const servicePorts = () => allPorts(compose)

describe('component list', () => {
  it('is the release the compose file pins, with its source', () => {
    expect(components.version).toBe(version)
    expect(components.image).toBe(image)
    expect(components.source).toMatch(/opentelemetry-collector-releases.*manifest\.yaml/)
    expect(compose.services['otel-gateway']!.image).toBe(image)
  })

  it('lists the components otelkit relies on', () => {
    expect(components.processors).toEqual(
      expect.arrayContaining(['memory_limiter', 'resourcedetection', 'tail_sampling']),
    )
    expect(components.exporters).toEqual(
      expect.arrayContaining(['otlp', 'otlphttp', 'loadbalancing', 'prometheus']),
    )
    expect(components.connectors).toContain('spanmetrics')
    expect(components.extensions).toEqual(expect.arrayContaining(['health_check', 'file_storage']))
  })
})

describe('validator', () => {
  it('rejects undefined components, unknown types and a bad processor order', () => {
    const bad: CollectorConfig = {
      receivers: { otlp: {} },
      processors: { batch: {}, memory_limiter: {}, nosuchprocessor: {} },
      exporters: { debug: {} },
      service: {
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['batch', 'memory_limiter'], exporters: ['missing'] },
        },
      },
    }
    const problems = validateCollector(bad, components)
    expect(problems).toEqual(
      expect.arrayContaining([
        'processors.nosuchprocessor: type "nosuchprocessor" is not in otelcol-contrib 0.136.0',
        'pipeline traces: exporter "missing" is not defined',
        'pipeline traces: memory_limiter must be the first processor',
        'pipeline traces: batch must be the last processor',
      ]),
    )
    expect(processorOrder('p', ['memory_limiter', 'batch', 'tail_sampling'])).toContain(
      'pipeline p: batch must be the last processor',
    )
  })
})

describe.each([
  ['otelcol.yaml (agent)', agent],
  ['gateway.yaml', gateway],
])('%s', (_name, cfg) => {
  it('references only defined components whose types exist in the pinned release, in the recommended order', () => {
    expect(validateCollector(cfg, components)).toEqual([])
  })

  it('puts memory_limiter first in every pipeline and batches in the exporters, not a batch processor', () => {
    for (const p of Object.values(cfg.service.pipelines)) expect(p.processors?.[0]).toBe('memory_limiter')
    expect(Object.keys(cfg.processors ?? {})).not.toContain('batch')
    for (const [id, e] of Object.entries(cfg.exporters ?? {})) {
      const q = (e as { sending_queue?: { enabled: boolean; queue_size: number; batch?: object } })
        .sending_queue
      if (id === 'loadbalancing' || id.startsWith('prometheus')) continue
      expect(q?.enabled, id).toBe(true)
      expect(q?.queue_size, id).toBeGreaterThan(0)
      expect(q?.batch, id).toBeDefined()
      expect((e as { retry_on_failure?: { enabled: boolean } }).retry_on_failure?.enabled, id).toBe(true)
    }
  })

  it('serves health_check on 13133 and its own metrics on 8888', () => {
    expect(cfg.service.extensions).toContain('health_check')
    expect((cfg.extensions?.health_check as { endpoint?: string } | undefined)?.endpoint).toBe(
      '0.0.0.0:13133',
    )
    expect(JSON.stringify(cfg.service.telemetry)).toContain('"port":8888')
  })

  it('sends only to compose services on ports they listen on', () => {
    const ports = servicePorts()
    const targets = exporterTargets(cfg)
    expect(targets.length).toBeGreaterThan(0)
    for (const t of targets) {
      expect(Object.keys(ports), `${t.path} -> ${t.host}`).toContain(t.host)
      expect(ports[t.host], `${t.path} -> ${t.host}:${t.port}`).toContain(t.port)
    }
  })
})

describe('agent', () => {
  it('fans traces out to Tempo and the spanmetrics connector, metrics to Prometheus', () => {
    const p = agent.service.pipelines
    expect(p.traces?.exporters).toEqual(expect.arrayContaining(['otlp/traces', 'spanmetrics']))
    expect(p['metrics/spanmetrics']?.receivers).toEqual(['spanmetrics'])
    expect(exporterTargets(agent).map((t) => `${t.host}:${t.port}`)).toEqual(
      expect.arrayContaining(['tempo:4317', 'prometheus:9090']),
    )
  })

  it('can point traces at the gateway pool instead of Tempo', () => {
    const viaGateway = exporterTargets(agent, { OTELKIT_TRACES_ENDPOINT: 'otel-gateway:4317' })
    expect(viaGateway.map((t) => `${t.host}:${t.port}`)).toContain('otel-gateway:4317')
    expect(servicePorts()['otel-gateway']).toContain(4317)
  })

  it('listens where compose publishes', () => {
    const published = (compose.services['otel-collector']!.ports ?? []).map((p) => Number(p.target))
    for (const port of published) expect(listenPorts(agent)).toContain(port)
  })
})

describe('gateway', () => {
  it('routes by trace id to the pool and tail-samples errors and slow traces', () => {
    const lb = gateway.exporters?.loadbalancing as {
      routing_key: string
      resolver: { dns: { hostname: string } }
    }
    expect(lb.routing_key).toBe('traceID')
    expect(lb.resolver.dns.hostname).toBe('otel-gateway')
    const ts = gateway.processors?.tail_sampling as { policies: Array<{ type: string }> }
    expect(ts.policies.map((p) => p.type)).toEqual(expect.arrayContaining(['status_code', 'latency']))
    expect(gateway.service.pipelines['traces/sample']?.processors).toEqual([
      'memory_limiter',
      'tail_sampling',
    ])
  })
})
