// Collector configs (otel-collector/otelcol.yaml, gateway.yaml) against the otelcol-otelkit
// distribution built from otel-collector/distribution (its component list and its `validate`),
// the compose services they talk to with the default environment, and 127.0.0.1 natively.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type CollectorConfig,
  type ComponentList,
  exporterTargets,
  KINDS,
  listeners,
  processorOrder,
  readYaml,
  typeOf,
  validateCollector,
} from './lib/collector.ts'
import { composeConfig } from './lib/compose.ts'
import {
  BUILD_TIMEOUT_MS,
  NATIVE_ENV,
  otelcolBinary,
  readComponents,
  validateWithBinary,
} from './lib/otelcol.ts'
import { servicePorts as allPorts } from './lib/ports.ts'

const dir = new URL('../../otel-collector/', import.meta.url)
const file = (name: string) => fileURLToPath(new URL(name, dir))
const compose = composeConfig()
const agent = readYaml<CollectorConfig>(new URL('otelcol.yaml', dir))
const gateway = readYaml<CollectorConfig>(new URL('gateway.yaml', dir))
const servicePorts = () => allPorts(compose)
const CONFIGS = [
  ['otelcol.yaml', agent],
  ['gateway.yaml', gateway],
] as const
/** Components the configs do not use that the distribution carries for tests and the docs. */
const EXTRA: Partial<Record<(typeof KINDS)[number], string[]>> = {
  exporters: ['debug', 'file'],
  extensions: ['file_storage'],
}

let bin: string
let components: ComponentList & { modules: string[] }
beforeAll(() => {
  bin = otelcolBinary()
  components = readComponents(bin)
}, BUILD_TIMEOUT_MS)

describe('otelcol-otelkit distribution', () => {
  it('is the release compose.yaml pins for both collector services', () => {
    expect(components.command).toBe('otelcol-otelkit')
    const image = `otel/opentelemetry-collector-contrib:${components.version}`
    expect(compose.services['otel-collector']!.image).toBe(image)
    expect(compose.services['otel-gateway']!.image).toBe(image)
  })

  it('takes every component and every collector module of go.mod from that one release', () => {
    const v = `v${components.version}`
    for (const m of components.modules) expect(m, m).toMatch(new RegExp(` (${v}|v1\\.\\d+\\.\\d+)$`))
    const goMod = readFileSync(new URL('distribution/go.mod', dir), 'utf8')
    const collectorModules = [
      ...goMod.matchAll(
        /^\s*(go\.opentelemetry\.io\/collector\S*|github\.com\/open-telemetry\/opentelemetry-collector-contrib\S*) (v\S+)/gm,
      ),
    ]
    expect(collectorModules.length).toBeGreaterThan(20)
    const stable = new Set<string>()
    for (const [, mod, version] of collectorModules) {
      if (version!.startsWith('v1.')) stable.add(version!)
      else expect(version, mod).toBe(v)
    }
    expect([...stable], 'one 1.x line for the stable core modules').toHaveLength(1)
    const required = new Set(collectorModules.map(([, mod, version]) => `${mod} ${version}`))
    for (const m of components.modules) expect(required, `${m} as go.mod requires it`).toContain(m)
  })

  it('has exactly the components the configs use, plus the file and debug exporters and file_storage', () => {
    for (const kind of KINDS) {
      const used = CONFIGS.flatMap(([, cfg]) => Object.keys(cfg[kind] ?? {}).map(typeOf))
      const expected = [...new Set([...used, ...(EXTRA[kind] ?? [])])].sort()
      expect([...components[kind]].sort(), kind).toEqual(expected)
    }
  })

  it('lists the components otelkit relies on', () => {
    expect(components.receivers).toContain('otlp')
    expect(components.processors).toEqual(
      expect.arrayContaining(['memory_limiter', 'resource', 'tail_sampling']),
    )
    expect(components.exporters).toEqual(
      expect.arrayContaining(['otlp_grpc', 'otlp_http', 'load_balancing', 'prometheus', 'file', 'debug']),
    )
    expect(components.connectors).toContain('span_metrics')
    expect(components.extensions).toEqual(expect.arrayContaining(['health_check', 'file_storage']))
  })

  it('reports its version', () => {
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe(
      `otelcol-otelkit version ${components.version}`,
    )
  })
})

describe('static validator', () => {
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
        `processors.nosuchprocessor: type "nosuchprocessor" is not in otelcol-otelkit ${components.version}`,
        'pipeline traces: exporter "missing" is not defined',
        'pipeline traces: memory_limiter must be the first processor',
        'pipeline traces: batch must be the last processor',
      ]),
    )
    expect(processorOrder('p', ['memory_limiter', 'batch', 'tail_sampling'])).toContain(
      'pipeline p: batch must be the last processor',
    )
  })

  it('the binary rejects what the static validator cannot see (a bad setting)', () => {
    const out = validateWithBinary(bin, file('otelcol.yaml'), {
      OTELKIT_COLLECTOR_METRICS_PORT: 'not-a-port',
    })
    expect(out).toMatch(/port/)
  })
})

describe.each(CONFIGS)('%s', (name, cfg) => {
  it.each([
    ['the compose defaults', {}],
    ['the native environment', NATIVE_ENV],
  ])('passes otelcol-otelkit validate with %s', (_env, env) => {
    expect(validateWithBinary(bin, file(name), env)).toBe('')
  })

  it('references only defined components of the distribution, in the recommended order', () => {
    expect(validateCollector(cfg, components)).toEqual([])
  })

  it('puts memory_limiter first in every pipeline and batches in the exporters, not a batch processor', () => {
    for (const p of Object.values(cfg.service.pipelines)) expect(p.processors?.[0]).toBe('memory_limiter')
    expect(Object.keys(cfg.processors ?? {})).not.toContain('batch')
    for (const [id, e] of Object.entries(cfg.exporters ?? {})) {
      const q = (e as { sending_queue?: { enabled: boolean; queue_size: number; batch?: object } })
        .sending_queue
      if (id === 'load_balancing' || id.startsWith('prometheus')) continue
      expect(q?.enabled, id).toBe(true)
      expect(q?.queue_size, id).toBeGreaterThan(0)
      expect(q?.batch, id).toBeDefined()
      // The debug exporter (the logs pipeline's end) only writes a line: nothing to retry.
      if (id.startsWith('debug')) continue
      expect((e as { retry_on_failure?: { enabled: boolean } }).retry_on_failure?.enabled, id).toBe(true)
    }
  })

  it('serves health_check on 13133 and its own metrics on 8888 by default, on 0.0.0.0', () => {
    expect(cfg.service.extensions).toContain('health_check')
    const byPath = Object.fromEntries(listeners(cfg).map((l) => [l.path, l]))
    expect(byPath['extensions.health_check.endpoint']).toMatchObject({ host: '0.0.0.0', port: 13133 })
    expect(Object.entries(byPath).find(([p]) => p.startsWith('service.telemetry'))?.[1]).toMatchObject({
      host: '0.0.0.0',
      port: 8888,
    })
    for (const l of listeners(cfg)) expect(l.host, l.path).toBe('0.0.0.0')
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

  it('natively listens and sends on loopback only', () => {
    for (const l of listeners(cfg, NATIVE_ENV)) expect(l.host, l.path).toBe('127.0.0.1')
    for (const t of exporterTargets(cfg, NATIVE_ENV))
      expect(['127.0.0.1', 'localhost'], t.path).toContain(t.host)
  })
})

describe('native run on one machine', () => {
  it('gives the agent and the gateway distinct ports, the gateway 4417/4418, 13134 and 8887', () => {
    const a = listeners(agent, NATIVE_ENV).map((l) => l.port)
    const g = listeners(gateway, NATIVE_ENV).map((l) => l.port)
    expect(a).toEqual(expect.arrayContaining([4317, 4318, 13133, 8888, 8889]))
    expect(g).toEqual(expect.arrayContaining([4417, 4418, 4319, 13134, 8887]))
    expect(new Set([...a, ...g]).size).toBe(a.length + g.length)
  })

  it('chains agent -> gateway -> Jaeger on those ports', () => {
    const hop = (cfg: CollectorConfig) => exporterTargets(cfg, NATIVE_ENV).map((t) => `${t.host}:${t.port}`)
    expect(hop(agent)).toContain(`127.0.0.1:${NATIVE_ENV.OTELKIT_GATEWAY_OTLP_GRPC_PORT}`)
    expect(hop(gateway)).toEqual(
      expect.arrayContaining(['localhost:4319', NATIVE_ENV.OTELKIT_JAEGER_OTLP_ENDPOINT]),
    )
  })
})

describe('agent', () => {
  it('fans traces out to Jaeger and the span_metrics connector, metrics to Prometheus', () => {
    const p = agent.service.pipelines
    expect(p.traces?.exporters).toEqual(expect.arrayContaining(['otlp_grpc/traces', 'span_metrics']))
    expect(p['metrics/spanmetrics']?.receivers).toEqual(['span_metrics'])
    expect(exporterTargets(agent).map((t) => `${t.host}:${t.port}`)).toEqual(
      expect.arrayContaining(['jaeger:4317', 'prometheus:9090']),
    )
  })

  it('can point traces at the gateway pool instead of Jaeger', () => {
    const viaGateway = exporterTargets(agent, { OTELKIT_TRACES_ENDPOINT: 'otel-gateway:4317' })
    expect(viaGateway.map((t) => `${t.host}:${t.port}`)).toContain('otel-gateway:4317')
    expect(servicePorts()['otel-gateway']).toContain(4317)
  })

  it('listens where compose publishes', () => {
    const published = (compose.services['otel-collector']!.ports ?? []).map((p) => Number(p.target))
    const ports = listeners(agent).map((l) => l.port)
    for (const port of published) expect(ports).toContain(port)
  })
})

describe('gateway', () => {
  it('routes by trace id to the pool on its sampling port and tail-samples errors, slow traces and a baseline', () => {
    const lb = gateway.exporters?.load_balancing as { routing_key: string }
    expect(lb.routing_key).toBe('traceID')
    const [pool] = exporterTargets(gateway).filter((t) => t.path.includes('resolver.dns'))
    expect(pool).toMatchObject({ host: 'otel-gateway', port: 4319 })
    expect(listeners(gateway).find((l) => l.path.startsWith('receivers.otlp/sampling'))?.port).toBe(
      pool!.port,
    )
    const ts = gateway.processors?.tail_sampling as { policies: Array<{ type: string }> }
    expect(ts.policies.map((p) => p.type)).toEqual(['status_code', 'latency', 'probabilistic'])
    expect(gateway.service.pipelines['traces/sample']?.processors).toEqual([
      'memory_limiter',
      'tail_sampling',
    ])
    expect(exporterTargets(gateway).map((t) => `${t.host}:${t.port}`)).toContain('jaeger:4317')
  })
})
