/**
 * The checks of `otelkit doctor`, each a pure function of what the ops server answered, so
 * they are easy to reason about: a finding is ok, a warning, or a problem with a fix-it hint.
 */
import { hasMetric, type Sample, sumOf } from '../ops/prometheus.js'

export interface Finding {
  level: 'ok' | 'warn' | 'problem'
  check: string
  message: string
  fix?: string
}

/** The gauge of loaded instrumentations (`_ratio` is the suffix its unit `1` gets). */
const INSTRUMENTATION_GAUGES = ['otelkit_instrumentation_enabled', 'otelkit_instrumentation_enabled_ratio']

/** Metric series that reveal an instrumentation when the explicit gauge is absent. */
const SERIES_HINTS: Array<[string, string]> = [
  ['http_server_request_duration_seconds_count', 'http (server)'],
  ['http_client_request_duration_seconds_count', 'http client (undici/fetch)'],
  ['otelkit_cache_requests_total', 'cache (@otelkit/cache)'],
]

export function instrumentationFindings(samples: Sample[]): Finding[] {
  const explicit = samples.filter((s) => INSTRUMENTATION_GAUGES.includes(s.name))
  if (explicit.length > 0) {
    const on = explicit.filter((s) => s.value >= 1).map((s) => s.labels.instrumentation ?? '?')
    const off = explicit.filter((s) => s.value < 1).map((s) => s.labels.instrumentation ?? '?')
    return [
      on.length
        ? {
            level: 'ok',
            check: 'instrumentations',
            message: `active: ${[...new Set(on)].sort().join(', ')}${off.length ? `; off: ${off.join(', ')}` : ''}`,
          }
        : {
            level: 'warn',
            check: 'instrumentations',
            message: 'none active',
            fix: 'check OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS and that the service was started with --import @otelkit/node/register',
          },
    ]
  }
  const seen = SERIES_HINTS.filter(([name]) => hasMetric(samples, name)).map(([, label]) => label)
  const dbSystems = new Set(
    samples
      .filter((s) => s.name === 'db_client_operation_duration_seconds_count')
      .map((s) => s.labels.db_system_name ?? s.labels.db_system ?? 'db'),
  )
  for (const system of dbSystems) seen.push(`db (${system})`)
  if (seen.length === 0) {
    return [
      {
        level: 'warn',
        check: 'instrumentations',
        message: 'no instrumentation series seen yet (the service may not have served traffic)',
        fix: 'send a request to the service and run doctor again',
      },
    ]
  }
  return [{ level: 'ok', check: 'instrumentations', message: `seen in metrics: ${seen.join(', ')}` }]
}

export function exporterFindings(
  before: Sample[],
  after: Sample[],
  readyDetail: string | undefined,
): Finding[] {
  const name = 'otelkit_telemetry_dropped_total'
  const first = sumOf(before, name, { reason: 'export_failed' }) ?? 0
  const last = sumOf(after, name, { reason: 'export_failed' })
  if (last === undefined) {
    const hinted =
      readyDetail !== undefined && /export/i.test(readyDetail) && /(down|fail|error)/i.test(readyDetail)
    return [
      hinted
        ? {
            level: 'problem',
            check: 'exporter',
            message: '/readyz reports the exporter failing',
            fix: 'check OTEL_EXPORTER_OTLP_ENDPOINT and that the collector is up',
          }
        : { level: 'ok', check: 'exporter', message: 'no export failures recorded' },
    ]
  }
  if (last === 0) return [{ level: 'ok', check: 'exporter', message: 'no export failures recorded' }]
  const signals = [
    ...new Set(
      after
        .filter((s) => s.name === name && s.labels.reason === 'export_failed')
        .map((s) => s.labels.signal ?? '?'),
    ),
  ]
  return [
    {
      level: 'problem',
      check: 'exporter',
      message: `${last} ${signals.join('/')} items dropped because export failed${last > first ? ` (+${last - first} during this check: still failing)` : ''}`,
      fix: 'check OTEL_EXPORTER_OTLP_ENDPOINT (and _PROTOCOL) points at a running collector reachable from the service, e.g. curl it from the host',
    },
  ]
}

interface CheckState {
  name: string
  status: string
  detail?: string
}

/** Reads /readyz's JSON: `{ status, checks }` with checks as an array or a name-keyed object. */
export function parseReadyz(body: string): { status?: string; checks: CheckState[] } {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { checks: [] }
  }
  if (!json || typeof json !== 'object') return { checks: [] }
  const root = json as { status?: unknown; checks?: unknown }
  const checks: CheckState[] = []
  const add = (name: string, value: unknown) => {
    if (typeof value === 'string') checks.push({ name, status: value })
    else if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>
      const detail = [v.lastError, v.error, v.message, v.detail, v.reason].find(
        (x) => typeof x === 'string',
      ) as string | undefined
      checks.push({
        name: String(v.name ?? name),
        status: String(v.status ?? v.state ?? 'unknown'),
        ...(detail ? { detail } : {}),
      })
    }
  }
  if (Array.isArray(root.checks)) {
    for (const [i, c] of root.checks.entries()) add(String(i), c)
  } else if (root.checks && typeof root.checks === 'object')
    for (const [k, v] of Object.entries(root.checks)) add(k, v)
  return { ...(typeof root.status === 'string' ? { status: root.status } : {}), checks }
}

const HEALTH_FIXES: Array<[RegExp, string]> = [
  [/postgres|pg/i, 'is PostgreSQL up and the connection string right? try psql with the same settings'],
  [/mysql|maria/i, 'is MySQL/MariaDB up and reachable with the configured credentials?'],
  [/redis/i, 'is Redis up at the configured address? try redis-cli ping'],
  [/disk/i, 'free disk space or raise the check threshold'],
  [
    /event.?loop/i,
    'the event loop is blocked: take a CPU profile (otelkit profile) to find the hot function',
  ],
  [/http|upstream/i, 'is the upstream service up and reachable from this host?'],
]

export function healthFindings(
  httpStatus: number | undefined,
  body: string | undefined,
  samples: Sample[],
): Finding[] {
  const findings: Finding[] = []
  const parsed = body !== undefined ? parseReadyz(body) : { checks: [] as CheckState[] }
  const fromMetrics = samples.filter((s) => s.name === 'otelkit_health_status')
  const checks = new Map<string, CheckState>()
  for (const s of fromMetrics) {
    const name = s.labels.health_check_name ?? '?'
    checks.set(name, { name, status: s.value >= 1 ? 'up' : s.value > 0 ? 'degraded' : 'down' })
  }
  for (const c of parsed.checks) checks.set(c.name, { ...checks.get(c.name), ...c })
  const down = [...checks.values()].filter((c) => /down|fail|unhealthy|error/i.test(c.status))
  const degraded = [...checks.values()].filter((c) => /degraded|warn/i.test(c.status))
  for (const c of down) {
    findings.push({
      level: 'problem',
      check: `health ${c.name}`,
      message: `down${c.detail ? `: ${c.detail}` : ''}`,
      fix: HEALTH_FIXES.find(([re]) => re.test(c.name))?.[1] ?? 'see /readyz for the check detail',
    })
  }
  for (const c of degraded)
    findings.push({
      level: 'warn',
      check: `health ${c.name}`,
      message: `degraded${c.detail ? `: ${c.detail}` : ''}`,
    })
  if (httpStatus === undefined) {
    findings.push({
      level: 'warn',
      check: 'readiness',
      message: '/readyz not served',
      fix: 'upgrade @otelkit/node or check the ops server routes',
    })
  } else if (httpStatus >= 500 && down.length === 0) {
    findings.push({
      level: 'problem',
      check: 'readiness',
      message: `/readyz answered ${httpStatus}${parsed.status ? ` (${parsed.status})` : ''}`,
      fix: 'see /readyz for the detail',
    })
  } else if (httpStatus < 300 && down.length === 0) {
    const names = [...checks.keys()]
    findings.push({
      level: 'ok',
      check: 'readiness',
      message: `${parsed.status ?? 'ready'}${names.length ? ` (${names.length} checks: ${names.join(', ')})` : ''}`,
    })
  }
  return findings
}
