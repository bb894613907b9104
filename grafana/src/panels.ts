// Small helpers over @grafana/grafana-foundation-sdk: the Prometheus datasource reference,
// the service/instance variables, a label selector, and panel shorthands used by every dashboard.
import {
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline'
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'

/** The provisioned Prometheus datasource (grafana/provisioning/datasources/datasources.yaml). */
export const prometheus = { type: 'prometheus', uid: 'prometheus' }

/** Label matchers every panel query applies: the dashboard's service and instance variables. */
export const SEL = 'service_name=~"$service", instance=~"$instance"'

/** One PromQL query of a panel. */
export interface Query {
  /** PromQL expression; may use $service, $instance, $__rate_interval, $__range. */
  expr: string
  /** Legend template, e.g. `{{http_route}}`. @default '' */
  legend?: string
  /** Evaluate once at the end of the range (tables, stats). @default false */
  instant?: boolean
  /** Ask Prometheus for exemplars (trace ids linked to Jaeger by the datasource). @default false */
  exemplar?: boolean
}

const REF_IDS = 'ABCDEFGHIJ'

function target(q: Query, i: number): DataqueryBuilder {
  const b = new DataqueryBuilder()
    .datasource(prometheus)
    .refId(REF_IDS[i] ?? `Q${i}`)
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto')
  if (q.exemplar) b.exemplar(true)
  return q.instant ? b.instant() : b.range()
}

/** A time series panel. */
export function timeseries(
  title: string,
  unit: string,
  queries: Query[],
  description = '',
): TimeseriesBuilder {
  const p = new TimeseriesBuilder().title(title).unit(unit).datasource(prometheus).description(description)
  queries.forEach((q, i) => {
    p.withTarget(target(q, i))
  })
  return p.height(8).span(12)
}

/** A single-value panel (last value). */
export function stat(title: string, unit: string, queries: Query[], description = ''): StatBuilder {
  const p = new StatBuilder().title(title).unit(unit).datasource(prometheus).description(description)
  queries.forEach((q, i) => {
    p.withTarget(target(q, i))
  })
  return p.height(5).span(6)
}

/** A table of instant results (top-N lists). */
export function table(title: string, unit: string, queries: Query[], description = ''): TableBuilder {
  const p = new TableBuilder().title(title).unit(unit).datasource(prometheus).description(description)
  queries.forEach((q, i) => {
    p.withTarget(target({ ...q, instant: true }, i).format(PromQueryFormat.Table))
  })
  return p.height(8).span(12)
}

/** A state timeline (health status over time). */
export function stateTimeline(title: string, queries: Query[], description = ''): StateTimelineBuilder {
  const p = new StateTimelineBuilder().title(title).datasource(prometheus).description(description)
  queries.forEach((q, i) => {
    p.withTarget(target(q, i))
  })
  return p.height(8).span(24)
}

/** The `service` and `instance` variables (Prometheus label `service_name` and `instance`). */
export function withVariables(d: DashboardBuilder): DashboardBuilder {
  return d
    .withVariable(
      new QueryVariableBuilder('service')
        .label('Service')
        .datasource(prometheus)
        .query('label_values(service_name)')
        .definition('label_values(service_name)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Instance')
        .datasource(prometheus)
        .query('label_values({service_name=~"$service"}, instance)')
        .definition('label_values({service_name=~"$service"}, instance)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
}

/** A dashboard with otelkit's defaults: uid, tags, 30-minute range, 30s refresh, variables. */
export function dashboard(uid: string, title: string): DashboardBuilder {
  return withVariables(
    new DashboardBuilder(title)
      .uid(uid)
      .tags(['otelkit', 'generated'])
      .time({ from: 'now-30m', to: 'now' })
      .refresh('30s')
      .timezone('browser')
      .editable(),
  )
}

export { RowBuilder }
