/**
 * Alerting rules, one file per area. Every number comes from thresholds.yaml; every alert has
 * `severity`, `summary`, a `description` showing the value, an absolute `runbook_url` and a
 * `dashboard_url`. Paging model (docs/runbook.md#paging-model): `critical` pages only for a
 * condition that hurts users now and has enough traffic to be sure; the rest opens a ticket.
 */

import { type AlertSpec, alertRule, type Links, type RuleFile } from './rule-types.ts'
import { countOver, HTTP } from './rules-recording.ts'
import { num, type Thresholds } from './thresholds.ts'

const pct = '{{ $value | humanizePercentage }}'
const secs = '{{ $value | humanizeDuration }}'
const val = '{{ $value | printf "%.3g" }}'

function file(name: string, about: string, group: string, specs: AlertSpec[], links: Links): RuleFile {
  return { file: name, about, groups: [{ name: group, rules: specs.map((s) => alertRule(s, links)) }] }
}

/**
 * One multi-window burn condition, with the service's request rate over the long window compared
 * to the page floor: `>` for the page, `<=` for the low-traffic ticket.
 */
function burnRate(
  slo: 'availability' | 'latency',
  long: string,
  short: string,
  factor: number,
  traffic?: string,
): string {
  const f = num(factor)
  const floor = traffic ? ` and on (service_name) service:http_server_requests:rate${long} ${traffic}` : ''
  return `(service:slo_${slo}:burn_rate${long} > ${f} and service:slo_${slo}:burn_rate${short} > ${f}${floor})`
}

/**
 * The host of a series: `host_name` from the service's `target_info` (resource attribute
 * host.name; on the OTLP path also on every series), else the host part of `instance`. Joined on
 * `job, instance`, so that host alerts come once per host, not once per process on it.
 */
export const HOST_OF_TARGET =
  'label_replace(label_replace(target_info, "host", "$1", "instance", "(.+):[0-9]+"), "host", "$1", "host_name", "(.+)")'

function perHost(expr: string, by: string): string {
  return `max by (host${by ? `, ${by}` : ''}) (\n  (${expr})\n  * on (job, instance) group_left (host) ${HOST_OF_TARGET}\n)`
}

export function httpAlerts(t: Thresholds, links: Links): RuleFile {
  const busy = `service_route:http_server_requests:rate5m > ${num(t.min_request_rate)}`
  const ratio = (threshold: number) =>
    `service_route:http_server_5xx:ratio_rate5m > ${num(threshold)}\nand on (service_name, http_route)\n${busy}`
  const slowAndBusy = (metric: string, threshold: number) =>
    `${metric} > ${num(threshold)}\nand on (service_name, http_route)\n${busy}`
  return file(
    'alerts-http.yml',
    'HTTP server alerts: 5xx ratio per service and route, error-category spikes, unhandled errors, latency, saturation.',
    'otelkit-http.alerts',
    [
      {
        alert: 'OtelkitHighErrorRatio',
        dashboard: 'otelkit-service-overview',
        expr: ratio(t.error_ratio_warning),
        for: '5m',
        severity: 'warning',
        summary: '{{ $labels.service_name }} {{ $labels.http_route }}: 5xx ratio above error_ratio_warning',
        description: `${pct} of requests to {{ $labels.http_route }} on {{ $labels.service_name }} answered 5xx over 5 minutes (error_ratio_warning ${num(t.error_ratio_warning)}, at over min_request_rate ${num(t.min_request_rate)} req/s).`,
      },
      {
        alert: 'OtelkitHighErrorRatioCritical',
        dashboard: 'otelkit-service-overview',
        expr: ratio(t.error_ratio_critical),
        for: '5m',
        severity: 'critical',
        summary: '{{ $labels.service_name }} {{ $labels.http_route }}: 5xx ratio above error_ratio_critical',
        description: `${pct} of requests to {{ $labels.http_route }} on {{ $labels.service_name }} answered 5xx over 5 minutes (error_ratio_critical ${num(t.error_ratio_critical)}, at over min_request_rate ${num(t.min_request_rate)} req/s).`,
      },
      {
        alert: 'OtelkitErrorCategorySpike',
        dashboard: 'otelkit-errors',
        expr: `service_category:otelkit_errors:rate5m > ${num(t.error_spike_min_rate)}\nand\nservice_category:otelkit_errors:rate5m > ${num(t.error_spike_factor)} * service_category:otelkit_errors:rate1h`,
        for: '5m',
        severity: 'warning',
        summary: '{{ $labels.service_name }}: spike of {{ $labels.error_category }} errors',
        description: `{{ $labels.error_category }} errors on {{ $labels.service_name }} at ${val}/s over 5 minutes, more than error_spike_factor (${num(t.error_spike_factor)}) times their 1-hour rate.`,
      },
      {
        alert: 'OtelkitUnhandledErrors',
        dashboard: 'otelkit-errors',
        // Counted from the first event: one uncaught exception makes a series born at 1, which
        // rate() alone would never see.
        expr: `sum by (service_name, error_type) (${countOver('otelkit_errors_total{error_category="unhandled"}', '5m')}) / 300 > ${num(t.unhandled_error_rate)}`,
        severity: 'warning',
        summary:
          '{{ $labels.service_name }}: uncaught exceptions or unhandled rejections ({{ $labels.error_type }})',
        description: `{{ $labels.service_name }} had unhandled {{ $labels.error_type }} errors at ${val}/s over 5 minutes (unhandled_error_rate ${num(t.unhandled_error_rate)}); each one usually ends the process.`,
      },
      {
        alert: 'OtelkitHighLatencyP95',
        dashboard: 'otelkit-service-overview',
        expr: slowAndBusy(`service_route:${HTTP}:p95_5m`, t.latency_p95_seconds),
        for: '10m',
        severity: 'warning',
        summary: '{{ $labels.service_name }} {{ $labels.http_route }}: p95 latency above latency_p95_seconds',
        description: `p95 latency of {{ $labels.http_route }} on {{ $labels.service_name }} is ${secs} over 5 minutes (latency_p95_seconds ${num(t.latency_p95_seconds)} s).`,
      },
      {
        alert: 'OtelkitHighLatencyP99',
        dashboard: 'otelkit-service-overview',
        expr: slowAndBusy(`service_route:${HTTP}:p99_5m`, t.latency_p99_seconds),
        for: '10m',
        severity: 'warning',
        summary: '{{ $labels.service_name }} {{ $labels.http_route }}: p99 latency above latency_p99_seconds',
        description: `p99 latency of {{ $labels.http_route }} on {{ $labels.service_name }} is ${secs} over 5 minutes (latency_p99_seconds ${num(t.latency_p99_seconds)} s).`,
      },
      {
        alert: 'OtelkitActiveRequestsSaturation',
        dashboard: 'otelkit-service-overview',
        expr: `service_instance:http_server_active_requests:sum > ${num(t.active_requests_max)}`,
        for: '5m',
        severity: 'warning',
        summary: '{{ $labels.service_name }} {{ $labels.instance }}: too many requests in flight',
        description: `{{ $labels.instance }} of {{ $labels.service_name }} has ${val} requests in flight (active_requests_max ${num(t.active_requests_max)}).`,
      },
    ],
    links,
  )
}

export function sloAlerts(t: Thresholds, links: Links): RuleFile {
  const specs: AlertSpec[] = []
  const floor = num(t.slo_page_min_request_rate)
  for (const [slo, target, what] of [
    ['availability', num(t.slo_availability_target), 'requests without a 5xx'],
    ['latency', num(t.slo_latency_target), `requests faster than ${num(t.slo_latency_target_seconds)} s`],
  ] as const) {
    const Name = slo === 'availability' ? 'Availability' : 'Latency'
    const page = (traffic: string) =>
      `${burnRate(slo, '1h', '5m', t.slo_burn_rate_page_1h, traffic)}\nor\n${burnRate(slo, '6h', '30m', t.slo_burn_rate_page_6h, traffic)}`
    const pageWindows = `above ${num(t.slo_burn_rate_page_1h)}x over 1h and 5m (2% of the budget in 1 hour), or above ${num(t.slo_burn_rate_page_6h)}x over 6h and 30m (5% in 6 hours)`
    specs.push(
      {
        alert: `OtelkitSLO${Name}BurnRatePage`,
        dashboard: 'otelkit-slo',
        expr: page(`> ${floor}`),
        for: '2m',
        severity: 'critical',
        labels: { slo },
        summary: `{{ $labels.service_name }}: ${slo} SLO error budget burning fast`,
        description: `{{ $labels.service_name }} burns its 30-day ${slo} error budget (SLO ${target} of ${what}) at ${val}x: ${pageWindows}, serving over slo_page_min_request_rate (${floor} req/s).`,
      },
      {
        alert: `OtelkitSLO${Name}BurnRateLowTraffic`,
        dashboard: 'otelkit-slo',
        expr: page(`<= ${floor}`),
        for: '2m',
        severity: 'warning',
        labels: { slo },
        summary: `{{ $labels.service_name }}: ${slo} SLO burning fast on little traffic`,
        description: `{{ $labels.service_name }} burns its 30-day ${slo} error budget (SLO ${target} of ${what}) at ${val}x: ${pageWindows}, but serves at most slo_page_min_request_rate (${floor} req/s), where a few requests make the burn rate: a ticket, not a page.`,
      },
      {
        alert: `OtelkitSLO${Name}BurnRateTicket`,
        dashboard: 'otelkit-slo',
        expr: `${burnRate(slo, '1d', '2h', t.slo_burn_rate_ticket_1d)}\nor\n${burnRate(slo, '3d', '6h', t.slo_burn_rate_ticket_3d)}`,
        for: '15m',
        severity: 'warning',
        labels: { slo },
        summary: `{{ $labels.service_name }}: ${slo} SLO error budget burning`,
        description: `{{ $labels.service_name }} burns its 30-day ${slo} error budget (SLO ${target} of ${what}) at ${val}x: above ${num(t.slo_burn_rate_ticket_1d)}x over 1d and 2h (10% of the budget in a day), or above ${num(t.slo_burn_rate_ticket_3d)}x over 3d and 6h (10% in 3 days).`,
      },
    )
  }
  return file(
    'alerts-slo.yml',
    'SLO alerts: multi-window, multi-burn-rate (Google SRE workbook, ch. 5) for availability and latency, from the burn-rate recording rules. Pages only above slo_page_min_request_rate; below it the same burn opens a ticket.',
    'otelkit-slo.alerts',
    specs,
    links,
  )
}

export function hostAlerts(t: Thresholds, links: Links): RuleFile {
  const predictSeconds = num(t.disk_full_predict_hours * 3600)
  return file(
    'alerts-host.yml',
    'Host and runtime alerts, on the metrics the SDK exports (host-metrics, filesystem, runtime-node): CPU, memory, disk once per host (every process on a host exports the same host metrics), event loop and heap per process.',
    'otelkit-host.alerts',
    [
      {
        alert: 'OtelkitHostHighCpu',
        dashboard: 'otelkit-host-runtime',
        expr: `${perHost('1 - avg by (job, instance) (system_cpu_utilization_ratio{cpu_mode="idle"})', '')} > ${num(t.cpu_utilization)}`,
        for: '10m',
        severity: 'warning',
        summary: '{{ $labels.host }}: host CPU busy',
        description: `Host CPU of {{ $labels.host }} is ${pct} busy (cpu_utilization ${num(t.cpu_utilization)}).`,
      },
      {
        alert: 'OtelkitHostHighMemory',
        dashboard: 'otelkit-host-runtime',
        expr: `${perHost('max by (job, instance) (system_memory_utilization_ratio{system_memory_state="used"})', '')} > ${num(t.memory_utilization)}`,
        for: '10m',
        severity: 'warning',
        summary: '{{ $labels.host }}: host memory nearly used up',
        description: `Host memory of {{ $labels.host }} is ${pct} used (memory_utilization ${num(t.memory_utilization)}).`,
      },
      {
        alert: 'OtelkitDiskSpaceHigh',
        dashboard: 'otelkit-host-runtime',
        expr: `${perHost('system_filesystem_utilization_ratio', 'system_filesystem_mountpoint, system_device')} > ${num(t.disk_utilization)}`,
        for: '5m',
        severity: 'critical',
        summary: '{{ $labels.host }}: filesystem {{ $labels.system_filesystem_mountpoint }} nearly full',
        description: `Filesystem {{ $labels.system_filesystem_mountpoint }} ({{ $labels.system_device }}) on {{ $labels.host }} is ${pct} full (disk_utilization ${num(t.disk_utilization)}).`,
      },
      {
        alert: 'OtelkitDiskFullPredicted',
        dashboard: 'otelkit-host-runtime',
        expr: `${perHost(`predict_linear(system_filesystem_utilization_ratio[6h], ${predictSeconds})`, 'system_filesystem_mountpoint, system_device')} > 1`,
        for: '30m',
        severity: 'warning',
        summary: `{{ $labels.host }}: filesystem {{ $labels.system_filesystem_mountpoint }} full within ${num(t.disk_full_predict_hours)} hours`,
        description: `At the trend of the last 6 hours, filesystem {{ $labels.system_filesystem_mountpoint }} on {{ $labels.host }} reaches ${pct} of its size within disk_full_predict_hours (${num(t.disk_full_predict_hours)} h).`,
      },
      {
        alert: 'OtelkitEventLoopDelayHigh',
        dashboard: 'otelkit-host-runtime',
        expr: `max by (service_name, instance) (nodejs_eventloop_delay_p99_seconds) > ${num(t.eventloop_delay_p99_seconds)}`,
        for: '5m',
        severity: 'warning',
        summary: '{{ $labels.service_name }} {{ $labels.instance }}: event loop blocked',
        description: `p99 event-loop delay of {{ $labels.service_name }} on {{ $labels.instance }} is ${secs} (eventloop_delay_p99_seconds ${num(t.eventloop_delay_p99_seconds)} s).`,
      },
      {
        alert: 'OtelkitHeapNearLimit',
        dashboard: 'otelkit-host-runtime',
        // The SDK exports used and available size per V8 heap space (runtime-node); their sum is
        // the heap V8 can still use before it must grow or collect.
        expr: `sum by (service_name, instance) (v8js_memory_heap_used_bytes)\n/\n(sum by (service_name, instance) (v8js_memory_heap_used_bytes) + sum by (service_name, instance) (v8js_memory_heap_space_available_size_bytes))\n> ${num(t.heap_utilization)}`,
        for: '15m',
        severity: 'warning',
        summary: '{{ $labels.service_name }} {{ $labels.instance }}: V8 heap nearly full',
        description: `{{ $labels.service_name }} on {{ $labels.instance }} uses ${pct} of its V8 heap (heap_utilization ${num(t.heap_utilization)}).`,
      },
    ],
    links,
  )
}

export function dependencyAlerts(t: Thresholds, links: Links): RuleFile {
  return file(
    'alerts-dependencies.yml',
    'Dependency alerts: health checks down, cache hit ratio and errors, database latency.',
    'otelkit-dependencies.alerts',
    [
      {
        alert: 'OtelkitDependencyDown',
        dashboard: 'otelkit-health',
        // Pages for the checks the service cannot serve without (critical="true") and for its
        // overall status; one instance's overall status and its failing check share a group.
        expr: `otelkit_health_status{critical="true"} <= ${num(t.health_down_value)}\nor\notelkit_health_status{health_check_name="_overall"} <= ${num(t.health_down_value)}`,
        for: '2m',
        severity: 'critical',
        summary: '{{ $labels.service_name }}: health check {{ $labels.health_check_name }} down',
        description: `Health check {{ $labels.health_check_name }} of {{ $labels.service_name }} on {{ $labels.instance }} reports ${val} (1 up, 0.5 degraded, 0 down; health_down_value ${num(t.health_down_value)}); the service cannot serve without it.`,
      },
      {
        alert: 'OtelkitDependencyDownNonCritical',
        dashboard: 'otelkit-health',
        expr: `otelkit_health_status{critical!="true", health_check_name!="_overall"} <= ${num(t.health_down_value)}`,
        for: '5m',
        severity: 'warning',
        summary: '{{ $labels.service_name }}: non-critical health check {{ $labels.health_check_name }} down',
        description: `Health check {{ $labels.health_check_name }} of {{ $labels.service_name }} on {{ $labels.instance }} reports ${val} (1 up, 0.5 degraded, 0 down; health_down_value ${num(t.health_down_value)}); it is not marked critical, so the service serves on with less (a ticket, not a page).`,
      },
      {
        alert: 'OtelkitCacheHitRatioLow',
        dashboard: 'otelkit-cache',
        expr: `service_cache:otelkit_cache_hit:ratio_rate15m < ${num(t.cache_hit_ratio_min)}\nand on (service_name, cache_name)\nservice_cache:otelkit_cache_requests:rate15m > ${num(t.cache_min_request_rate)}`,
        for: '15m',
        severity: 'warning',
        summary: '{{ $labels.service_name }}: cache {{ $labels.cache_name }} hit ratio low',
        description: `Cache {{ $labels.cache_name }} of {{ $labels.service_name }} served ${pct} of requests from cache over 15 minutes (cache_hit_ratio_min ${num(t.cache_hit_ratio_min)}, at over cache_min_request_rate ${num(t.cache_min_request_rate)} req/s).`,
      },
      {
        alert: 'OtelkitCacheErrors',
        dashboard: 'otelkit-cache',
        expr: `service_cache:otelkit_cache_errors:rate5m > ${num(t.cache_error_rate)}`,
        for: '5m',
        severity: 'warning',
        summary: '{{ $labels.service_name }}: cache {{ $labels.cache_name }} failing',
        description: `Cache {{ $labels.cache_name }} of {{ $labels.service_name }} fails ${val} times per second (cache_error_rate ${num(t.cache_error_rate)}/s); the cache fails open, so load moves to the origin.`,
      },
      {
        alert: 'OtelkitDatabaseSlow',
        dashboard: 'otelkit-database',
        expr: `service_db:db_client_operation_duration_seconds:p95_5m > ${num(t.db_p95_seconds)}`,
        for: '10m',
        severity: 'warning',
        summary:
          '{{ $labels.service_name }}: {{ $labels.db_system_name }} {{ $labels.db_operation_name }} slow',
        description: `p95 of {{ $labels.db_system_name }} {{ $labels.db_operation_name }} from {{ $labels.service_name }} is ${secs} over 5 minutes (db_p95_seconds ${num(t.db_p95_seconds)} s).`,
      },
    ],
    links,
  )
}

export function telemetryAlerts(t: Thresholds, links: Links): RuleFile {
  const bySignal = (kind: 'receiver' | 'exporter', counter: string, component: string) =>
    [
      ['spans', 'traces'],
      ['metric_points', 'metrics'],
      ['log_records', 'logs'],
    ]
      .map(
        ([unit, signal]) =>
          `label_replace(sum by (instance, ${component}) (rate(otelcol_${kind}_${counter}_${unit}_total[5m])), "signal", "${signal}", "", "")`,
      )
      .join('\nor\n')
  return file(
    'alerts-telemetry.yml',
    "Telemetry pipeline alerts: data the SDK dropped, and the collector's own refused, failed and queued data (otelcol_* metrics).",
    'otelkit-telemetry.alerts',
    [
      {
        alert: 'OtelkitTelemetryDropped',
        dashboard: 'otelkit-collector',
        expr: `sum by (service_name, instance, signal, reason) (${countOver('otelkit_telemetry_dropped_total', '5m')}) / 300 > ${num(t.telemetry_dropped_rate)}`,
        for: '10m',
        severity: 'warning',
        summary: '{{ $labels.service_name }}: dropping {{ $labels.signal }} ({{ $labels.reason }})',
        description: `{{ $labels.service_name }} on {{ $labels.instance }} drops ${val} {{ $labels.signal }} items per second, reason {{ $labels.reason }} (telemetry_dropped_rate ${num(t.telemetry_dropped_rate)}).`,
      },
      {
        alert: 'OtelcolReceiverRefused',
        dashboard: 'otelkit-collector',
        expr: `(\n${bySignal('receiver', 'refused', 'receiver')}\n) > ${num(t.collector_refused_rate)}`,
        for: '5m',
        severity: 'warning',
        summary:
          'Collector {{ $labels.instance }}: receiver {{ $labels.receiver }} refusing {{ $labels.signal }}',
        description: `Receiver {{ $labels.receiver }} of collector {{ $labels.instance }} refuses ${val} {{ $labels.signal }} items per second (collector_refused_rate ${num(t.collector_refused_rate)}); usually the memory_limiter pushing back.`,
      },
      {
        alert: 'OtelcolExporterFailed',
        dashboard: 'otelkit-collector',
        expr: `(\n${bySignal('exporter', 'send_failed', 'exporter')}\n) > ${num(t.collector_failed_rate)}`,
        for: '5m',
        severity: 'warning',
        summary:
          'Collector {{ $labels.instance }}: exporter {{ $labels.exporter }} failing to send {{ $labels.signal }}',
        description: `Exporter {{ $labels.exporter }} of collector {{ $labels.instance }} fails to send ${val} {{ $labels.signal }} items per second (collector_failed_rate ${num(t.collector_failed_rate)}).`,
      },
      {
        alert: 'OtelcolExporterQueueNearlyFull',
        dashboard: 'otelkit-collector',
        expr: `max by (instance, exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity) > ${num(t.collector_queue_utilization)}`,
        for: '5m',
        severity: 'warning',
        summary: 'Collector {{ $labels.instance }}: exporter {{ $labels.exporter }} queue nearly full',
        description: `The sending queue of exporter {{ $labels.exporter }} on collector {{ $labels.instance }} is ${pct} full (collector_queue_utilization ${num(t.collector_queue_utilization)}); when full, data is dropped.`,
      },
    ],
    links,
  )
}

/** Series whose presence means "this service reports": its target_info, its request counters. */
const REPORTING = ['target_info', `${HTTP}_count`]

export function absenceAlerts(_t: Thresholds, links: Links): RuleFile {
  const reported = REPORTING.map((m) => `group by (service_name) (last_over_time(${m}[1h]))`).join(' or ')
  const reports = REPORTING.map((m) => `group by (service_name) (${m})`).join(' or ')
  return file(
    'alerts-absence.yml',
    'Absence alerts: a scrape target or job down, a service that stopped reporting (the OTLP path has no `up`), and the always-firing watchdog that proves the alert pipeline works.',
    'otelkit-absence.alerts',
    [
      {
        alert: 'OtelkitTargetDown',
        dashboard: 'otelkit-service-overview',
        expr: 'up == 0',
        for: '5m',
        severity: 'warning',
        summary: '{{ $labels.job }} {{ $labels.instance }}: scrape target down',
        description:
          'Prometheus has failed to scrape {{ $labels.instance }} of job {{ $labels.job }} for 5 minutes (up = {{ $value }}); other targets of the job still answer.',
      },
      {
        alert: 'OtelkitJobDown',
        dashboard: 'otelkit-service-overview',
        // Every target of a job (per service_name, when the scrape config sets one) down: the
        // service is gone, and its other alerts have no data to fire on.
        expr: 'max by (job, service_name) (up) == 0',
        for: '3m',
        severity: 'critical',
        summary: '{{ $labels.job }}: every scrape target down',
        description:
          'No target of job {{ $labels.job }} ({{ $labels.service_name }}) has answered a scrape for 3 minutes (max up = {{ $value }}): the service is down or unreachable, and its other alerts have no data.',
      },
      {
        alert: 'OtelkitServiceAbsent',
        dashboard: 'otelkit-service-overview',
        // Reported within the hour, nothing now; services with a down scrape target are left to
        // OtelkitJobDown (one page per incident).
        expr: `(${reported})\nunless on (service_name) (${reports})\nunless on (service_name) (up == 0)`,
        for: '5m',
        severity: 'critical',
        summary: '{{ $labels.service_name }}: stopped reporting',
        description:
          '{{ $labels.service_name }} reported target_info or requests within the last hour and has sent nothing for 5 minutes (absent = {{ $value }}): crashed, stopped, or its telemetry path (collector, OTLP push) is broken.',
      },
      {
        alert: 'OtelkitWatchdog',
        dashboard: 'otelkit-collector',
        expr: 'vector(1)',
        severity: 'none',
        summary: 'Alert pipeline heartbeat: always firing',
        description:
          'Always firing ({{ $value }}) and routed to the heartbeat receiver: when its notifications stop, Prometheus, its rules or Alertmanager are broken, and no other alert can reach anyone.',
      },
    ],
    links,
  )
}
