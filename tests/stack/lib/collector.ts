// Static validator for OpenTelemetry Collector configs: every pipeline component is defined,
// every defined component's type exists in the pinned otelcol-contrib release, processors are
// in the recommended order, and every network endpoint points at a compose service port.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

/** Component kinds of a collector config (top-level sections). */
export const KINDS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const
export type Kind = (typeof KINDS)[number]

/** A release's component list: otel-collector/components/<version>.json. */
export interface ComponentList extends Record<Kind, string[]> {
  version: string
  image: string
  source: string
}

export interface CollectorConfig {
  receivers?: Record<string, unknown>
  processors?: Record<string, unknown>
  exporters?: Record<string, unknown>
  connectors?: Record<string, unknown>
  extensions?: Record<string, unknown>
  service: {
    extensions?: string[]
    pipelines: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }>
    telemetry?: unknown
  }
}

export function readYaml<T>(file: string | URL): T {
  return parse(readFileSync(file, 'utf8')) as T
}

/** `otlp/traces` -> `otlp`: the part of a component id before the slash. */
export const typeOf = (id: string): string => id.split('/')[0] ?? id

/** Problems found in one config; empty when valid. */
export function validateCollector(cfg: CollectorConfig, components: ComponentList): string[] {
  const problems: string[] = []
  for (const kind of KINDS) {
    for (const id of Object.keys(cfg[kind] ?? {})) {
      if (!components[kind].includes(typeOf(id))) {
        problems.push(`${kind}.${id}: type "${typeOf(id)}" is not in otelcol-contrib ${components.version}`)
      }
    }
  }
  const defined = (kind: Kind, id: string) => Object.hasOwn(cfg[kind] ?? {}, id)
  for (const id of cfg.service.extensions ?? []) {
    if (!defined('extensions', id)) problems.push(`service.extensions: "${id}" is not defined`)
  }
  for (const [name, p] of Object.entries(cfg.service.pipelines)) {
    for (const id of p.receivers ?? []) {
      if (!defined('receivers', id) && !defined('connectors', id)) {
        problems.push(`pipeline ${name}: receiver "${id}" is not defined`)
      }
    }
    for (const id of p.processors ?? []) {
      if (!defined('processors', id)) problems.push(`pipeline ${name}: processor "${id}" is not defined`)
    }
    for (const id of p.exporters ?? []) {
      if (!defined('exporters', id) && !defined('connectors', id)) {
        problems.push(`pipeline ${name}: exporter "${id}" is not defined`)
      }
    }
    problems.push(...processorOrder(name, p.processors ?? []))
  }
  return problems
}

/**
 * Recommended order: memory_limiter first; sampling before anything that batches; batch (if
 * used at all: exporter-level batching replaces it) last.
 */
export function processorOrder(pipeline: string, processors: string[]): string[] {
  const problems: string[] = []
  const types = processors.map(typeOf)
  if (types[0] !== 'memory_limiter')
    problems.push(`pipeline ${pipeline}: memory_limiter must be the first processor`)
  if (types.includes('batch') && types.at(-1) !== 'batch') {
    problems.push(`pipeline ${pipeline}: batch must be the last processor`)
  }
  const batch = types.indexOf('batch')
  const sampler = types.findIndex((t) => t === 'tail_sampling' || t === 'probabilistic_sampler')
  if (batch !== -1 && sampler > batch) problems.push(`pipeline ${pipeline}: sampling must come before batch`)
  return problems
}

/** An endpoint a config sends to: `host:port`, from `endpoint`, `*_endpoint` or a resolver. */
export interface Target {
  path: string
  host: string
  port: number
}

/** Every outgoing endpoint of the exporters (listeners on 0.0.0.0 are not targets). */
export function exporterTargets(cfg: CollectorConfig, env: Record<string, string> = {}): Target[] {
  const out: Target[] = []
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const here = `${path}.${k}`
      if (typeof v === 'string' && (k === 'endpoint' || k.endsWith('_endpoint'))) {
        const t = parseTarget(substituteEnv(v, env))
        if (t && t.host !== '0.0.0.0') out.push({ path: here, ...t })
      } else if (k === 'dns' && v && typeof v === 'object') {
        const dns = v as { hostname?: string; port?: number }
        if (dns.hostname) out.push({ path: here, host: dns.hostname, port: Number(dns.port ?? 4317) })
      } else {
        visit(v, here)
      }
    }
  }
  visit(cfg.exporters ?? {}, 'exporters')
  return out
}

/** Listen ports of receivers and extensions (`0.0.0.0:PORT`) and of the telemetry reader. */
export function listenPorts(cfg: CollectorConfig): number[] {
  const ports: number[] = []
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && k === 'endpoint' && v.startsWith('0.0.0.0:'))
        ports.push(Number(v.split(':')[1]))
      else if (k === 'port' && typeof v === 'number') ports.push(v)
      else visit(v)
    }
  }
  visit(cfg.receivers)
  visit(cfg.extensions)
  visit(cfg.exporters)
  visit(cfg.service.telemetry)
  return ports
}

/** `${env:NAME:-default}` -> env value or default (the collector's env provider syntax). */
export function substituteEnv(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{env:([A-Z0-9_]+)(?::-([^}]*))?\}/g,
    (_m, name: string, def?: string) => env[name] ?? def ?? '',
  )
}

function parseTarget(value: string): { host: string; port: number } | undefined {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)/.exec(value)
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined
}
