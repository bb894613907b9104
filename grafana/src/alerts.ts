// Grafana-managed alert rules for the critical alerts (error ratio, SLO fast burn, dependency
// down, disk nearly full), with their thresholds from otel-collector/thresholds.yaml, plus the
// contact point and policy that hand them to Alertmanager. Written as a provisioning file.
import type { Thresholds } from './thresholds.ts'

/** A Grafana alert rule in the file-provisioning format (apiVersion 1). */
export interface ProvisionedRule {
  uid: string
  title: string
  condition: string
  data: Array<Record<string, unknown>>
  noDataState: 'OK' | 'NoData' | 'Alerting'
  execErrState: 'OK' | 'Error' | 'Alerting'
  for: string
  labels: Record<string, string>
  annotations: Record<string, string>
  isPaused: boolean
}

const ALL = 'http_server_request_duration_seconds_count'

function promQuery(refId: string, expr: string, seconds: number): Record<string, unknown> {
  return {
    refId,
    relativeTimeRange: { from: seconds, to: 0 },
    datasourceUid: 'prometheus',
    model: { refId, expr, instant: true, range: false, intervalMs: 1000, maxDataPoints: 43200 },
  }
}

function math(refId: string, expression: string): Record<string, unknown> {
  return {
    refId,
    relativeTimeRange: { from: 0, to: 0 },
    datasourceUid: '__expr__',
    model: { refId, type: 'math', expression, datasource: { type: '__expr__', uid: '__expr__' } },
  }
}

function rule(
  uid: string,
  title: string,
  queries: Array<Record<string, unknown>>,
  condition: string,
  forDuration: string,
  summary: string,
  description: string,
): ProvisionedRule {
  return {
    uid,
    title,
    condition: 'C',
    data: [...queries, math('C', condition)],
    noDataState: 'OK',
    execErrState: 'Error',
    for: forDuration,
    labels: { severity: 'critical', source: 'grafana' },
    annotations: { summary, description },
    isPaused: false,
  }
}

/** The four critical rules, each threshold read from the shared thresholds map. */
export function criticalRules(t: Thresholds): ProvisionedRule[] {
  const bySvc = (extra: string, w: string) => `sum by (service_name) (rate(${ALL}{${extra}}[${w}]))`
  const busy = `(${bySvc('', '5m')} > ${t.min_request_rate})`
  const ratio = `((${bySvc('http_response_status_code=~"5.."', '5m')} or ${bySvc('', '5m')} * 0) / ${bySvc('', '5m')}) and on (service_name) ${busy}`
  const svcBurn = (w: string) =>
    `((sum by (service_name) (rate(${ALL}{http_response_status_code=~"5.."}[${w}])) or ${bySvc('', w)} * 0) / ${bySvc('', w)}) / ${Number((1 - t.slo_availability_target).toPrecision(12))}`
  return [
    rule(
      'otelkit-error-ratio-critical',
      'Error ratio critical',
      [promQuery('A', ratio, 600)],
      `$A > ${t.error_ratio_critical}`,
      '5m',
      `More than ${t.error_ratio_critical * 100}% of requests fail with a 5xx`,
      `5xx ratio over 5 minutes above error_ratio_critical (${t.error_ratio_critical}) for service {{ $labels.service_name }}, serving over min_request_rate (${t.min_request_rate}/s).`,
    ),
    rule(
      'otelkit-slo-fast-burn',
      'SLO fast burn',
      [promQuery('A', svcBurn('1h'), 3600), promQuery('B', svcBurn('5m'), 600)],
      `$A > ${t.slo_burn_rate_page_1h} && $B > ${t.slo_burn_rate_page_1h}`,
      '2m',
      'Error budget burning fast',
      `Availability SLO ${t.slo_availability_target}: burn rate over 1h and 5m both above slo_burn_rate_page_1h (${t.slo_burn_rate_page_1h}) for {{ $labels.service_name }}; 2% of the 30-day budget gone in an hour.`,
    ),
    rule(
      'otelkit-dependency-down',
      'Dependency down',
      [
        promQuery(
          'A',
          'min by (service_name, instance, health_check_name) (otelkit_health_status{health_check_name!="_overall"})',
          300,
        ),
      ],
      `$A <= ${t.health_down_value}`,
      '2m',
      'A dependency health check reports down',
      `Health check {{ $labels.health_check_name }} of {{ $labels.service_name }} ({{ $labels.instance }}) at or below health_down_value (${t.health_down_value}).`,
    ),
    rule(
      'otelkit-disk-nearly-full',
      'Disk nearly full',
      [
        promQuery(
          'A',
          'max by (service_name, instance, system_filesystem_mountpoint) (system_filesystem_utilization_ratio)',
          300,
        ),
      ],
      `$A > ${t.disk_utilization}`,
      '10m',
      'A filesystem is nearly full',
      `Filesystem {{ $labels.system_filesystem_mountpoint }} on {{ $labels.instance }} above disk_utilization (${t.disk_utilization}).`,
    ),
  ]
}

/** The whole alerting provisioning document: rule group, contact point, notification policy. */
export function alertingProvisioning(t: Thresholds): Record<string, unknown> {
  return {
    apiVersion: 1,
    groups: [
      { orgId: 1, name: 'otelkit-critical', folder: 'otelkit', interval: '1m', rules: criticalRules(t) },
    ],
    contactPoints: [
      {
        orgId: 1,
        name: 'otelkit-alertmanager',
        receivers: [
          {
            uid: 'otelkit-alertmanager',
            type: 'prometheus-alertmanager',
            settings: { url: 'http://alertmanager:9093' },
            disableResolveMessage: false,
          },
        ],
      },
    ],
    policies: [
      {
        orgId: 1,
        receiver: 'otelkit-alertmanager',
        group_by: ['grafana_folder', 'alertname', 'service_name'],
      },
    ],
  }
}
