// Static checks of OpenTelemetry Collector configs: every pipeline component is defined, every
// defined component's type is in the built distribution's component list, processors are in the
// recommended order; and where the configs listen and send, with `${env:NAME:-default}` resolved.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

/** Component kinds of a collector config (top-level sections). */
export const KINDS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const
export type Kind = (typeof KINDS)[number]

/** A distribution's component types by kind, as its `components` subcommand prints them. */
export interface ComponentList extends Record<Kind, string[]> {
  /** The distribution's command name, e.g. `otelcol-otelkit`. */
  command: string
  version: string
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
        problems.push(
          `${kind}.${id}: type "${typeOf(id)}" is not in ${components.command} ${components.version}`,
        )
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

/** Exporters that serve rather than send (their `endpoint` is a listen address). */
const SERVING_EXPORTERS = new Set(['prometheus'])

/** Every outgoing endpoint of the exporters, with `env` applied to `${env:...}` references. */
export function exporterTargets(cfg: CollectorConfig, env: Record<string, string> = {}): Target[] {
  const out: Target[] = []
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const here = `${path}.${k}`
      if (typeof v === 'string' && (k === 'endpoint' || k.endsWith('_endpoint'))) {
        const t = parseTarget(substituteEnv(v, env))
        if (t) out.push({ path: here, ...t })
      } else if (k === 'dns' && v && typeof v === 'object') {
        const dns = v as { hostname?: string; port?: number | string }
        const host = substituteEnv(String(dns.hostname ?? ''), env)
        if (host) out.push({ path: here, host, port: Number(substituteEnv(String(dns.port ?? 4317), env)) })
      } else {
        visit(v, here)
      }
    }
  }
  for (const [id, exporter] of Object.entries(cfg.exporters ?? {})) {
    if (!SERVING_EXPORTERS.has(typeOf(id))) visit(exporter, `exporters.${id}`)
  }
  return out
}

/**
 * Where a config listens: receivers' and extensions' `endpoint`s, serving exporters (Prometheus)
 * and the own-metrics reader (`host` + `port`), with `env` applied.
 */
export function listeners(cfg: CollectorConfig, env: Record<string, string> = {}): Target[] {
  const out: Target[] = []
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return
    const obj = value as Record<string, unknown>
    if (obj.port !== undefined && obj.host !== undefined) {
      out.push({
        path,
        host: substituteEnv(String(obj.host), env),
        port: Number(substituteEnv(String(obj.port), env)),
      })
      return
    }
    for (const [k, v] of Object.entries(obj)) {
      const t = k === 'endpoint' && typeof v === 'string' ? parseTarget(substituteEnv(v, env)) : undefined
      if (t) out.push({ path: `${path}.${k}`, ...t })
      else visit(v, `${path}.${k}`)
    }
  }
  visit(cfg.receivers, 'receivers')
  visit(cfg.extensions, 'extensions')
  for (const [id, exporter] of Object.entries(cfg.exporters ?? {})) {
    if (SERVING_EXPORTERS.has(typeOf(id))) visit(exporter, `exporters.${id}`)
  }
  visit(cfg.service.telemetry, 'service.telemetry')
  return out
}

/** Listen ports of a config (see `listeners`). */
export function listenPorts(cfg: CollectorConfig, env: Record<string, string> = {}): number[] {
  return listeners(cfg, env).map((l) => l.port)
}

/**
 * `${env:NAME}` and `${env:NAME:-default}` -> the value in `env`, else the default, else '' (the
 * collector's env provider syntax); a default may itself be a reference, resolved inside out.
 */
export function substituteEnv(value: string, env: Record<string, string>): string {
  const innermost = /\$\{env:([A-Za-z0-9_]+)(?::-([^${}]*))?\}/g
  let out = value
  for (let prev = ''; prev !== out; ) {
    prev = out
    out = out.replace(innermost, (_m, name: string, def?: string) => env[name] ?? def ?? '')
  }
  return out
}

function parseTarget(value: string): { host: string; port: number } | undefined {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)/.exec(value)
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined
}
