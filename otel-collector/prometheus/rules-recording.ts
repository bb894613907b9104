/**
 * Recording rules: the ratios, quantiles and SLO burn rates the alerts (and dashboards) read,
 * computed once per evaluation. Names follow `level:metric:operations`.
 */
import type { RuleFile } from './rule-types.ts'
import { num, type Thresholds } from './thresholds.ts'

export const HTTP = 'http_server_request_duration_seconds'
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const

const q = (quantile: number, by: string, metric: string, window: string) =>
  `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${metric}_bucket[${window}])))`

export function recordingRules(t: Thresholds): RuleFile {
  const availabilityBudget = num(1 - t.slo_availability_target)
  const latencyBudget = num(1 - t.slo_latency_target)
  const le = num(t.slo_latency_target_seconds)
  const slo = SLO_WINDOWS.flatMap((w) => {
    const all = `sum by (service_name) (rate(${HTTP}_count[${w}]))`
    const failed = `sum by (service_name) (rate(${HTTP}_count{http_response_status_code=~"5.."}[${w}]))`
    const fast = `sum by (service_name) (rate(${HTTP}_bucket{le="${le}"}[${w}]))`
    return [
      {
        record: `service:slo_availability_errors:ratio_rate${w}`,
        expr: `(${failed} or ${all} * 0) / ${all}`,
      },
      {
        record: `service:slo_availability:burn_rate${w}`,
        expr: `service:slo_availability_errors:ratio_rate${w} / ${availabilityBudget}`,
      },
      { record: `service:slo_latency_errors:ratio_rate${w}`, expr: `1 - (${fast} / ${all})` },
      {
        record: `service:slo_latency:burn_rate${w}`,
        expr: `service:slo_latency_errors:ratio_rate${w} / ${latencyBudget}`,
      },
    ]
  })
  return {
    file: 'recording.yml',
    about:
      'Recording rules: request and error rates, latency quantiles, SLO error ratios and burn rates, cache and database aggregates.',
    groups: [
      {
        name: 'otelkit-http.rules',
        rules: [
          {
            record: 'service_route:http_server_requests:rate5m',
            expr: `sum by (service_name, http_route) (rate(${HTTP}_count[5m]))`,
          },
          {
            record: 'service_route:http_server_requests_5xx:rate5m',
            expr: `sum by (service_name, http_route) (rate(${HTTP}_count{http_response_status_code=~"5.."}[5m]))`,
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
            expr: 'sum by (service_name, error_category) (rate(otelkit_errors_total[5m]))',
          },
          {
            record: 'service_category:otelkit_errors:rate1h',
            expr: 'sum by (service_name, error_category) (rate(otelkit_errors_total[1h]))',
          },
        ],
      },
      {
        name: 'otelkit-slo.rules',
        rules: slo,
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
            expr: 'sum by (service_name, cache_name) (rate(otelkit_cache_requests_total[15m]))',
          },
          {
            record: 'service_cache:otelkit_cache_hit:ratio_rate15m',
            expr: '(sum by (service_name, cache_name) (rate(otelkit_cache_requests_total{cache_result=~"hit|stale"}[15m])) or service_cache:otelkit_cache_requests:rate15m * 0) / service_cache:otelkit_cache_requests:rate15m',
          },
          {
            record: 'service_cache:otelkit_cache_errors:rate5m',
            expr: 'sum by (service_name, cache_name) (rate(otelkit_cache_errors_total[5m]))',
          },
        ],
      },
    ],
  }
}
