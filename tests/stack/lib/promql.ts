// PromQL helpers for dashboard and alert checks: Grafana variable substitution and a syntax
// check with Prometheus's own Lezer grammar (@prometheus-io/lezer-promql).
import { parser } from '@prometheus-io/lezer-promql'

/** Values for Grafana's template variables when a panel query is run outside Grafana. */
export interface GrafanaVars {
  service: string
  instance: string
  rateInterval: string
  range: string
}

export const DEFAULT_VARS: GrafanaVars = { service: '.*', instance: '.*', rateInterval: '1m', range: '5m' }

/** Replaces $service, $instance, $__rate_interval, $__range, $__interval as Grafana would. */
export function substitute(expr: string, vars: GrafanaVars = DEFAULT_VARS): string {
  return expr
    .replaceAll('$__rate_interval', vars.rateInterval)
    .replaceAll('$__range', vars.range)
    .replaceAll('$__interval', '15s')
    .replaceAll('$service', vars.service)
    .replaceAll('$instance', vars.instance)
}

/** Positions and text of the error nodes in `expr`; empty when it parses cleanly. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = []
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(node.from, node.to + 10)}"`)
    },
  })
  return errors
}

/** A query taken from a dashboard panel. */
export interface PanelQuery {
  dashboard: string
  panel: string
  refId: string
  expr: string
}

interface PanelJson {
  type: string
  title: string
  panels?: PanelJson[]
  targets?: Array<{ refId?: string; expr?: string }>
}

/** Every Prometheus query of every panel (rows included) of a dashboard JSON. */
export function panelQueries(name: string, dashboard: { panels?: PanelJson[] }): PanelQuery[] {
  const out: PanelQuery[] = []
  const walk = (panels: PanelJson[] = []) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        if (t.expr) out.push({ dashboard: name, panel: p.title, refId: t.refId ?? '', expr: t.expr })
      }
      walk(p.panels)
    }
  }
  walk(dashboard.panels)
  return out
}
