// Grafana-managed alert rules for the critical alerts (error ratio, SLO fast burn, dependency
// down, disk nearly full), with their thresholds from otel-collector/thresholds.yaml, plus the
// contact point and policy that hand them to Alertmanager. Written as a provisioning file.
//
// One page per incident: each rule is titled with the name of the Prometheus rule it mirrors
// and yields the same labels (service_name, host), so Alertmanager groups both into one
// notification and inhibits this copy (label source="grafana") while the Prometheus alert fires:
// the copy pages only when Prometheus's own rule evaluation is broken. A datasource error keeps
// the last state (no page for a Prometheus hiccup); no data is OK (a dead service pages through
// the absence rules, OtelkitJobDown and OtelkitServiceAbsent).
import { HOST_OF_TARGET } from '../../otel-collector/prometheus/rules-alerts.ts'
import type { Thresholds } from './thresholds.ts'

/** A Grafana alert rule in the file-provisioning format (apiVersion 1). */
export interface ProvisionedRule {
  uid: string
  title: string
  condition: string
  data: Array<Record<string, unknown>>
  noDataState: 'OK' | 'NoData' | 'Alerting' | 'KeepLast'
  execErrState: 'OK' | 'Error' | 'Alerting' | 'KeepLast'
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

interface RuleSpec {
  uid: string
  /** The name of the Prometheus alert this rule mirrors (its `alertname` in Alertmanager). */
  title: string
  queries: Array<Record<string, unknown>>
  condition: string
  for: string
  summary: string
  description: string
  /** The dashboard to open first (uid of a generated dashboard). */
  dashboard: string
}

function rule(spec: RuleSpec, t: Thresholds): ProvisionedRule {
  return {
    uid: spec.uid,
    title: spec.title,
    condition: 'C',
    data: [...spec.queries, math('C', spec.condition)],
    noDataState: 'OK',
    execErrState: 'KeepLast',
    for: spec.for,
    labels: { severity: 'critical', source: 'grafana' },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: `${t.runbook_base_url}#${spec.title.toLowerCase()}`,
      dashboard_url: `${t.grafana_base_url.replace(/\/+$/, '')}/d/${spec.dashboard}?var-service={{ or $labels.service_name "$__all" }}`,
      // Grafana's own link from the alert to its dashboard
      __dashboardUid__: spec.dashboard,
    },
    isPaused: false,
  }
}

/** The four critical rules, each threshold read from the shared thresholds map. */
export function criticalRules(t: Thresholds): ProvisionedRule[] {
  const bySvc = (extra: string, w: string) => `sum by (service_name) (rate(${ALL}{${extra}}[${w}]))`
  const busy = `(${bySvc('', '5m')} > ${t.min_request_rate})`
  const ratio = `((${bySvc('http_response_status_code=~"5.."', '5m')} or ${bySvc('', '5m')} * 0) / ${bySvc('', '5m')}) and on (service_name) ${busy}`
  const budget = Number((1 - t.slo_availability_target).toPrecision(12))
  const svcBurn = (w: string) =>
    `((sum by (service_name) (rate(${ALL}{http_response_status_code=~"5.."}[${w}])) or ${bySvc('', w)} * 0) / ${bySvc('', w)}) / ${budget}`
  // pages only above the traffic floor, as the Prometheus rule
  const floor = `and on (service_name) (${bySvc('', '1h')} > ${t.slo_page_min_request_rate})`
  return [
    rule(
      {
        uid: 'otelkit-error-ratio-critical',
        title: 'OtelkitHighErrorRatioCritical',
        queries: [promQuery('A', ratio, 600)],
        condition: `$A > ${t.error_ratio_critical}`,
        for: '5m',
        summary: `{{ $labels.service_name }}: more than ${t.error_ratio_critical * 100}% of requests fail with a 5xx`,
        description: `5xx ratio over 5 minutes above error_ratio_critical (${t.error_ratio_critical}) for service {{ $labels.service_name }}, serving over min_request_rate (${t.min_request_rate}/s).`,
        dashboard: 'otelkit-service-overview',
      },
      t,
    ),
    rule(
      {
        uid: 'otelkit-slo-fast-burn',
        title: 'OtelkitSLOAvailabilityBurnRatePage',
        queries: [promQuery('A', `${svcBurn('1h')} ${floor}`, 3600), promQuery('B', svcBurn('5m'), 600)],
        condition: `$A > ${t.slo_burn_rate_page_1h} && $B > ${t.slo_burn_rate_page_1h}`,
        for: '2m',
        summary: '{{ $labels.service_name }}: availability SLO error budget burning fast',
        description: `Availability SLO ${t.slo_availability_target}: burn rate over 1h and 5m both above slo_burn_rate_page_1h (${t.slo_burn_rate_page_1h}) for {{ $labels.service_name }}, serving over slo_page_min_request_rate (${t.slo_page_min_request_rate} req/s); 2% of the 30-day budget gone in an hour.`,
        dashboard: 'otelkit-slo',
      },
      t,
    ),
    rule(
      {
        uid: 'otelkit-dependency-down',
        title: 'OtelkitDependencyDown',
        queries: [
          promQuery(
            'A',
            'min by (service_name, instance, health_check_name) (otelkit_health_status{critical="true"} or otelkit_health_status{health_check_name="_overall"})',
            300,
          ),
        ],
        condition: `$A <= ${t.health_down_value}`,
        for: '2m',
        summary: '{{ $labels.service_name }}: health check {{ $labels.health_check_name }} down',
        description: `Critical health check {{ $labels.health_check_name }} of {{ $labels.service_name }} ({{ $labels.instance }}) at or below health_down_value (${t.health_down_value}).`,
        dashboard: 'otelkit-health',
      },
      t,
    ),
    rule(
      {
        uid: 'otelkit-disk-nearly-full',
        title: 'OtelkitDiskSpaceHigh',
        queries: [
          promQuery(
            'A',
            `max by (host, system_filesystem_mountpoint, system_device) (system_filesystem_utilization_ratio * on (job, instance) group_left (host) ${HOST_OF_TARGET})`,
            300,
          ),
        ],
        condition: `$A > ${t.disk_utilization}`,
        for: '5m',
        summary: '{{ $labels.host }}: filesystem {{ $labels.system_filesystem_mountpoint }} nearly full',
        description: `Filesystem {{ $labels.system_filesystem_mountpoint }} on {{ $labels.host }} above disk_utilization (${t.disk_utilization}).`,
        dashboard: 'otelkit-host-runtime',
      },
      t,
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
