// Small helpers over @grafana/grafana-foundation-sdk: the Prometheus datasource reference (the
// dashboard's $datasource variable), the datasource/service/instance variables, a label
// selector, panel shorthands used by every dashboard (stats always with thresholds), and links
// to Jaeger's trace search.
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  type Threshold,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { PanelBuilder as HeatmapBuilder } from '@grafana/grafana-foundation-sdk/heatmap'
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline'
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'

/**
 * The Prometheus datasource every panel and variable uses: the dashboard's `datasource`
 * variable (default: the provisioned `prometheus`, grafana/provisioning/datasources/), so a
 * dashboard imported elsewhere works on any Prometheus datasource.
 */
export const prometheus = { type: 'prometheus', uid: `\${datasource}` }

/** The provisioned Jaeger datasource: the trace store the trace-search links open. */
export const JAEGER_UID = 'jaeger'

/** One threshold step: from `value` on (null: the base, below every other step), `color`. */
export type Step = Threshold

/**
 * Threshold steps: a base colour, then `[value, colour]` pairs in ascending order. Values come
 * from otel-collector/thresholds.yaml, so a stat turns red where the alert fires.
 */
export function steps(base: string, ...from: Array<[number, string]>): Step[] {
  return [{ value: null, color: base }, ...from.map(([value, color]) => ({ value, color }))]
}

function thresholdsOf(s: Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(s)
}

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

/** A single-value panel (last value), coloured by its thresholds (required: no green 20x burn). */
export function stat(
  title: string,
  unit: string,
  queries: Query[],
  thresholds: Step[],
  description = '',
): StatBuilder {
  const p = new StatBuilder()
    .title(title)
    .unit(unit)
    .datasource(prometheus)
    .description(description)
    .thresholds(thresholdsOf(thresholds))
  queries.forEach((q, i) => {
    p.withTarget(target(q, i))
  })
  return p.height(5).span(6)
}

/**
 * A latency heatmap from a histogram's buckets (`sum by (le) (increase(..._bucket[...]))`),
 * with exemplars: each dot is a sampled request whose trace opens in Jaeger (the datasource's
 * exemplarTraceIdDestinations).
 */
export function heatmap(title: string, expr: string, description = ''): HeatmapBuilder {
  const q = new DataqueryBuilder()
    .datasource(prometheus)
    .refId('A')
    .expr(expr)
    .legendFormat('{{le}}')
    .format(PromQueryFormat.Heatmap)
    .exemplar(true)
    .range()
  return new HeatmapBuilder()
    .title(title)
    .description(description)
    .datasource(prometheus)
    .unit('s')
    .calculate(false)
    .exemplarsColor('rgba(255,0,255,0.7)')
    .withTarget(q)
    .height(9)
    .span(24)
}

/** Fields of one Jaeger trace search (Grafana Explore on the Jaeger datasource). */
export interface TraceSearch {
  /** Service name, may use `${__field.labels.service_name}` or `$service`. */
  service: string
  /** Span tags, logfmt (`http.route="/orders/:id" error=true`). @default '' */
  tags?: string
}

/**
 * A data link to Jaeger's trace search in Grafana Explore, over the panel's time range. Field
 * and variable references (`${...}`) stay unencoded for Grafana to fill in, percent-encoded.
 */
export function traceSearchLink(title: string, search: TraceSearch): DashboardLinkBuilder {
  const query = {
    refId: 'A',
    datasource: { type: 'jaeger', uid: JAEGER_UID },
    queryType: 'search',
    service: search.service,
    tags: search.tags ?? '',
  }
  const panes = { a: { datasource: JAEGER_UID, queries: [query], range: { from: '$__from', to: '$__to' } } }
  const encoded = encodeURIComponent(JSON.stringify(panes))
    // keep Grafana's ${...} and $__from/$__to references for interpolation, percent-encoded
    .replace(/%24%7B([^%]+?)%7D/g, (_m, ref: string) => `\${${decodeURIComponent(ref)}:percentencode}`)
    .replace(/%24__(from|to)/g, '$__$1')
  return new DashboardLinkBuilder(title).url(`/explore?schemaVersion=1&panes=${encoded}`).targetBlank(true)
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

/**
 * The `datasource` variable (Prometheus datasources, default the provisioned one), and `service`
 * and `instance` from `target_info` (the series every instrumented service exports, on the
 * scrape and the OTLP path; not Prometheus's or the collector's own jobs).
 */
export function withVariables(d: DashboardBuilder): DashboardBuilder {
  return d
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Data source')
        .type('prometheus')
        .current({ text: 'Prometheus', value: 'prometheus' }),
    )
    .withVariable(
      new QueryVariableBuilder('service')
        .label('Service')
        .datasource(prometheus)
        .query('label_values(target_info, service_name)')
        .definition('label_values(target_info, service_name)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Instance')
        .datasource(prometheus)
        .query('label_values(target_info{service_name=~"$service"}, instance)')
        .definition('label_values(target_info{service_name=~"$service"}, instance)')
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

export { DashboardLinkBuilder, RowBuilder }
