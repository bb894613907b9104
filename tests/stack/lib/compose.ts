// Reads otel-collector/compose.yaml through `docker-compose config` (the resolved form: relative
// paths made absolute, ports normalised) and answers questions about services and ports.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const COMPOSE_FILE = fileURLToPath(new URL('../../../otel-collector/compose.yaml', import.meta.url))

export interface ComposeService {
  image?: string
  build?: { context: string; dockerfile?: string }
  command?: string[] | string
  environment?: Record<string, string | null>
  volumes?: Volume[]
  ports?: Array<{ target: number; published?: number | string; protocol?: string }>
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] | string }
  profiles?: string[]
  mem_limit?: string | number
}

/** A volume entry, normalised from docker-compose v1's `source:target:mode` strings. */
export interface Volume {
  type: 'bind' | 'volume'
  source: string
  target: string
}

export interface ComposeConfig {
  services: Record<string, ComposeService>
  volumes?: Record<string, unknown>
}

/** Runs `docker-compose -f compose.yaml config` (throws with its stderr when invalid). */
export function composeConfig(): ComposeConfig {
  const out = execFileSync('docker-compose', ['-f', COMPOSE_FILE, '--profile', 'gateway', 'config'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const cfg = parse(out) as {
    services: Record<string, ComposeService & { volumes?: Array<string | Volume> }>
  }
  for (const s of Object.values(cfg.services)) {
    s.volumes = (s.volumes ?? []).map((v) => (typeof v === 'string' ? parseVolume(v) : v))
  }
  return cfg as ComposeConfig
}

function parseVolume(spec: string): Volume {
  const [source = '', target = ''] = spec.split(':')
  return { type: source.startsWith('/') ? 'bind' : 'volume', source, target }
}

/** `512m`, `1g`, `400MiB` -> bytes. */
export function bytes(value: string | number | undefined): number {
  const m = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(String(value ?? ''))
  if (!m) return Number.NaN
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g']
  return Number(m[1]) * unit
}
