/** Shapes of Prometheus rule files, and the helper that gives every alert the same fields. */

export interface RecordingRule {
  record: string
  expr: string
}

export interface AlertingRule {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

export interface RuleGroup {
  name: string
  interval?: string
  rules: (RecordingRule | AlertingRule)[]
}

export interface RuleFile {
  /** File name under rules/. */
  file: string
  /** What the file holds; written as its header comment. */
  about: string
  groups: RuleGroup[]
}

/** `critical` pages, `warning` opens a ticket, `none` is the watchdog (heartbeat receiver). */
export type Severity = 'critical' | 'warning' | 'none'

/** Uids of the generated Grafana dashboards (grafana/src/dashboards/*), one per alert area. */
export type DashboardUid =
  | 'otelkit-service-overview'
  | 'otelkit-errors'
  | 'otelkit-slo'
  | 'otelkit-host-runtime'
  | 'otelkit-health'
  | 'otelkit-cache'
  | 'otelkit-database'
  | 'otelkit-collector'

/** Absolute bases of the links every alert carries (thresholds.yaml, section Links). */
export interface Links {
  /** Address of docs/runbook.md; the alert's section is `#<alert name in lower case>`. */
  runbook: string
  /** Grafana's address; the alert's dashboard is `/d/<uid>`. */
  grafana: string
}

export interface AlertSpec {
  alert: string
  expr: string
  for?: string
  /** `critical` pages, `warning` opens a ticket (see alertmanager.yml). */
  severity: Severity
  summary: string
  /** Should show the value: `{{ $value }}`, `{{ $value | humanizePercentage }}`, ... */
  description: string
  labels?: Record<string, string>
  /** The dashboard to open first; linked as the `dashboard_url` annotation. */
  dashboard: DashboardUid
}

/** The dashboard link of an alert: the service (when the alert has one) preselected. */
export function dashboardUrl(links: Links, uid: DashboardUid): string {
  return `${links.grafana.replace(/\/+$/, '')}/d/${uid}?var-service={{ or $labels.service_name "$__all" }}`
}

export function alertRule(spec: AlertSpec, links: Links): AlertingRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    ...(spec.for !== undefined ? { for: spec.for } : {}),
    labels: { severity: spec.severity, ...spec.labels },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      // GitHub-style anchor of the runbook heading that is the alert's name
      runbook_url: `${links.runbook}#${spec.alert.toLowerCase()}`,
      dashboard_url: dashboardUrl(links, spec.dashboard),
    },
  }
}
