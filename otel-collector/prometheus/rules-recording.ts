/**
 * Recording rules: the ratios, quantiles and SLO burn rates the alerts (and dashboards) read,
 * computed once per evaluation. Names follow `level:metric:operations`.
 *
 * Counters are counted from their first event: an OpenTelemetry counter series appears at its
 * first value (1 after the first error, not 0), so `rate()` alone never sees that first increase.
 * {@link countOver} adds, for a series born inside the window, its whole value.
 */
import type { RuleFile } from './rule-types.ts'
import { num, type Thresholds } from './thresholds.ts'

export const HTTP = 'http_server_request_duration_seconds'
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const
/** The SLO period: recorded once every 5 minutes for the SLO dashboard (budget left, 30-day SLI). */
export const SLO_PERIOD = '30d'

const SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400 }

/** `5m` -> 300. */
export function windowSeconds(w: string): number {
  const m = /^(\d+)([mhd])$/.exec(w)
  if (!m) throw new Error(`not a window: ${w}`)
  return Number(m[1]) * (SECONDS[m[2] as string] as number)
}

/**
 * Events a counter `selector` counted within `window`, per series, including the first value of
 * a series born inside the window (which `increase()` cannot see: it has nothing before it). A
 * series is born inside the window when it had no sample at its start (`offset`); its count is
 * then its last value, everything it counted since it appeared. With created-timestamp zero
 * ingestion (a 0 sample at the series' start) the result is the same.
 */
export function countOver(selector: string, window: string): string {
  const before = `${selector} offset ${window}`
  return `((increase(${selector}[${window}]) and ${before}) or (last_over_time(${selector}[${window}]) unless ${before}))`
}

/** Per-second rate of `selector` over `window`, summed `by`, counted from the first event. */
export function rateFromFirst(by: string, selector: string, window: string): string {
  return `sum by (${by}) (${countOver(selector, window)}) / ${windowSeconds(window)}`
}

const q = (quantile: number, by: string, metric: string, window: string) =>
  `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${metric}_bucket[${window}])))`

function sloRules(t: Thresholds, w: string) {
  const availabilityBudget = num(1 - t.slo_availability_target)
  const latencyBudget = num(1 - t.slo_latency_target)
  const le = num(t.slo_latency_target_seconds)
  const all = rateFromFirst('service_name', `${HTTP}_count`, w)
  const failed = rateFromFirst('service_name', `${HTTP}_count{http_response_status_code=~"5.."}`, w)
  const fast = rateFromFirst('service_name', `${HTTP}_bucket{le="${le}"}`, w)
  return [
    { record: `service:http_server_requests:rate${w}`, expr: all },
    {
      record: `service:slo_availability_errors:ratio_rate${w}`,
      expr: `(${failed} or service:http_server_requests:rate${w} * 0) / service:http_server_requests:rate${w}`,
    },
    {
      record: `service:slo_availability:burn_rate${w}`,
      expr: `service:slo_availability_errors:ratio_rate${w} / ${availabilityBudget}`,
    },
    {
      record: `service:slo_latency_errors:ratio_rate${w}`,
      expr: `clamp_min(1 - ((${fast}) / service:http_server_requests:rate${w}), 0)`,
    },
    {
      record: `service:slo_latency:burn_rate${w}`,
      expr: `service:slo_latency_errors:ratio_rate${w} / ${latencyBudget}`,
    },
  ]
}

export function recordingRules(t: Thresholds): RuleFile {
  const availabilityBudget = num(1 - t.slo_availability_target)
  const latencyBudget = num(1 - t.slo_latency_target)
  return {
    file: 'recording.yml',
    about:
      'Recording rules: request and error rates, latency quantiles, SLO error ratios and burn rates, cache and database aggregates. Counters are counted from their first event (a series born inside a window counts its whole value).',
    groups: [
      {
        name: 'otelkit-http.rules',
        rules: [
          {
            record: 'service_route:http_server_requests:rate5m',
            expr: rateFromFirst('service_name, http_route', `${HTTP}_count`, '5m'),
          },
          {
            record: 'service_route:http_server_requests_5xx:rate5m',
            expr: rateFromFirst(
              'service_name, http_route',
              `${HTTP}_count{http_response_status_code=~"5.."}`,
              '5m',
            ),
          },
          {
            record: 'service_route:http_server_5xx:ratio_rate5m',
            expr: '(service_route:http_server_requests_5xx:rate5m or service_route:http_server_requests:rate5m * 0) / service_route:http_server_requests:rate5m',
          },
          { record: `service_route:${HTTP}:p95_5m`, expr: q(0.95, 'service_name, http_route', HTTP, '5m') },
          { record: `service_route:${HTTP}:p99_5m`, expr: q(0.99, 'service_name, http_route', HTTP, '5m') },
          {
            record: 'service_instance:http_server_active_requests:sum',
            expr: 'sum by (service_name, instance) (http_server_active_requests)',
          },
        ],
      },
      {
        name: 'otelkit-errors.rules',
        rules: [
          {
            record: 'service_category:otelkit_errors:rate5m',
            expr: rateFromFirst('service_name, error_category', 'otelkit_errors_total', '5m'),
          },
          {
            record: 'service_category:otelkit_errors:rate1h',
            expr: rateFromFirst('service_name, error_category', 'otelkit_errors_total', '1h'),
          },
        ],
      },
      {
        name: 'otelkit-slo.rules',
        rules: SLO_WINDOWS.flatMap((w) => sloRules(t, w)),
      },
      {
        // The 30-day SLI and budget for the SLO dashboard: a month of data per evaluation, so
        // evaluated every 5 minutes rather than at every cycle.
        name: 'otelkit-slo-period.rules',
        interval: '5m',
        rules: [
          ...sloRules(t, SLO_PERIOD).filter((r) => !r.record.includes('burn_rate')),
          {
            record: `service:slo_availability:error_budget_remaining${SLO_PERIOD}`,
            expr: `1 - service:slo_availability_errors:ratio_rate${SLO_PERIOD} / ${availabilityBudget}`,
          },
          {
            record: `service:slo_latency:error_budget_remaining${SLO_PERIOD}`,
            expr: `1 - service:slo_latency_errors:ratio_rate${SLO_PERIOD} / ${latencyBudget}`,
          },
        ],
      },
      {
        name: 'otelkit-dependencies.rules',
        rules: [
          {
            record: 'service_db:db_client_operation_duration_seconds:p95_5m',
            expr: q(
              0.95,
              'service_name, db_system_name, db_operation_name',
              'db_client_operation_duration_seconds',
              '5m',
            ),
          },
          {
            record: 'service_cache:otelkit_cache_requests:rate15m',
            expr: rateFromFirst('service_name, cache_name', 'otelkit_cache_requests_total', '15m'),
          },
          {
            record: 'service_cache:otelkit_cache_hit:ratio_rate15m',
            expr: `(${rateFromFirst('service_name, cache_name', 'otelkit_cache_requests_total{cache_result=~"hit|stale"}', '15m')} or service_cache:otelkit_cache_requests:rate15m * 0) / service_cache:otelkit_cache_requests:rate15m`,
          },
          {
            record: 'service_cache:otelkit_cache_errors:rate5m',
            expr: rateFromFirst('service_name, cache_name', 'otelkit_cache_errors_total', '5m'),
          },
        ],
      },
    ],
  }
}
