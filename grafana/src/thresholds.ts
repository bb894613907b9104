// Reads otel-collector/thresholds.yaml: the one flat map of alert threshold name -> number that
// the Prometheus rules and these Grafana dashboards and alert rules share.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

/** Path of the shared thresholds file, from the repository root. */
export const THRESHOLDS_FILE = new URL('../../otel-collector/thresholds.yaml', import.meta.url)

/** The keys this generator reads; a missing one is an error, not a silent default. */
export const REQUIRED_KEYS = [
  'error_ratio_critical',
  'min_request_rate',
  'slo_availability_target',
  'slo_burn_rate_page_1h',
  'slo_burn_rate_page_6h',
  'health_down_value',
  'disk_utilization',
] as const

export type Thresholds = Record<(typeof REQUIRED_KEYS)[number], number>

/** Parses and checks the thresholds file (every value a number, every required key present). */
export function loadThresholds(file: URL | string = THRESHOLDS_FILE): Thresholds {
  const raw: unknown = parse(readFileSync(file, 'utf8'))
  if (raw === null || typeof raw !== 'object') throw new Error(`${file}: not a map`)
  const map = raw as Record<string, unknown>
  for (const key of REQUIRED_KEYS) {
    if (typeof map[key] !== 'number') throw new Error(`${file}: missing numeric threshold "${key}"`)
  }
  return map as Thresholds
}
