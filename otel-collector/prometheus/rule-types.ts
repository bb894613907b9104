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

export type Severity = 'critical' | 'warning'

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
}

/** Default base of runbook links; set RUNBOOK_BASE_URL when generating for an absolute URL. */
export const DEFAULT_RUNBOOK_BASE = 'docs/runbook.md'

export function alertRule(spec: AlertSpec, runbookBase: string): AlertingRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    ...(spec.for !== undefined ? { for: spec.for } : {}),
    labels: { severity: spec.severity, ...spec.labels },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      // GitHub-style anchor of the runbook heading that is the alert's name
      runbook_url: `${runbookBase}#${spec.alert.toLowerCase()}`,
    },
  }
}
