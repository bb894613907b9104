/**
 * Reads otel-collector/thresholds.yaml (the one flat map of alert threshold name -> number, plus
 * the base URLs alert links are built from) and checks it: every threshold a number, every link
 * an absolute http(s) URL, every key the rules use present, no unknown key.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export const THRESHOLDS_FILE = new URL('../thresholds.yaml', import.meta.url)

/** Every key of thresholds.yaml; the rules read each one. */
export const THRESHOLD_KEYS = [
  'error_ratio_warning',
  'error_ratio_critical',
  'min_request_rate',
  'error_spike_factor',
  'error_spike_min_rate',
  'unhandled_error_rate',
  'slo_availability_target',
  'slo_latency_target',
  'slo_latency_target_seconds',
  'slo_burn_rate_page_1h',
  'slo_burn_rate_page_6h',
  'slo_page_min_request_rate',
  'slo_burn_rate_ticket_1d',
  'slo_burn_rate_ticket_3d',
  'latency_p95_seconds',
  'latency_p99_seconds',
  'active_requests_max',
  'cpu_utilization',
  'memory_utilization',
  'disk_utilization',
  'disk_full_predict_hours',
  'eventloop_delay_p99_seconds',
  'heap_utilization',
  'health_down_value',
  'cache_hit_ratio_min',
  'cache_min_request_rate',
  'cache_error_rate',
  'db_p95_seconds',
  'telemetry_dropped_rate',
  'collector_refused_rate',
  'collector_failed_rate',
  'collector_queue_utilization',
] as const

/** The string keys: absolute base URLs of the links every alert carries. */
export const LINK_KEYS = ['runbook_base_url', 'grafana_base_url'] as const

export type ThresholdKey = (typeof THRESHOLD_KEYS)[number]
export type LinkKey = (typeof LINK_KEYS)[number]
export type Thresholds = Record<ThresholdKey, number> & Record<LinkKey, string>

export function parseThresholds(text: string, source = 'thresholds.yaml'): Thresholds {
  const raw: unknown = parse(text)
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source}: not a map`)
  const map = raw as Record<string, unknown>
  const known = new Set<string>([...THRESHOLD_KEYS, ...LINK_KEYS])
  const problems: string[] = []
  for (const key of THRESHOLD_KEYS) {
    if (typeof map[key] !== 'number' || !Number.isFinite(map[key]))
      problems.push(`"${key}" missing or not a number`)
  }
  for (const key of LINK_KEYS) {
    if (typeof map[key] !== 'string' || !/^https?:\/\/[^/\s]+/.test(map[key]))
      problems.push(`"${key}" missing or not an absolute http(s) URL`)
  }
  for (const key of Object.keys(map)) {
    if (!known.has(key)) problems.push(`unknown key "${key}" (add it to THRESHOLD_KEYS and use it in a rule)`)
  }
  if (problems.length > 0) throw new Error(`${source}: ${problems.join('; ')}`)
  return map as Thresholds
}

export function loadThresholds(file: URL | string = THRESHOLDS_FILE): Thresholds {
  return parseThresholds(readFileSync(file, 'utf8'), String(file))
}

/** A number as PromQL and YAML should show it: no float noise (1 - 0.999 is 0.001). */
export function num(value: number): string {
  return String(Number(value.toPrecision(12)))
}
