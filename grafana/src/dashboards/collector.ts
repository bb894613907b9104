// Collector and pipeline: series that only the OpenTelemetry Collector produces (its own
// otelcol_* telemetry and the spanmetrics connector's traces_span_metrics_*). Kept apart from
// the service dashboards because the test suite cannot run a collector (see tests/stack).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { RowBuilder, timeseries, withVariables } from '../panels.ts'

const SM = 'traces_span_metrics'
const SPAN_SEL = 'service_name=~"$service"'

export function collector(): Dashboard {
  return withVariables(
    new DashboardBuilder('otelkit / Collector and span metrics')
      .uid('otelkit-collector')
      .tags(['otelkit', 'generated', 'collector'])
      .time({ from: 'now-30m', to: 'now' })
      .refresh('30s')
      .timezone('browser'),
  )
    .description(
      'The collector pipeline (job otel-collector) and RED metrics from spans (job otel-collector-spanmetrics).',
    )
    .withRow(new RowBuilder('Collector pipeline'))
    .withPanel(
      timeseries('Spans accepted / refused by receivers', 'ops', [
        {
          expr: 'sum by (receiver) (rate(otelcol_receiver_accepted_spans_total[$__rate_interval]))',
          legend: 'accepted {{receiver}}',
        },
        {
          expr: 'sum by (receiver) (rate(otelcol_receiver_refused_spans_total[$__rate_interval]))',
          legend: 'refused {{receiver}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Exporter sent / failed', 'ops', [
        {
          expr: 'sum by (exporter) (rate(otelcol_exporter_sent_spans_total[$__rate_interval]))',
          legend: 'spans sent {{exporter}}',
        },
        {
          expr: 'sum by (exporter) (rate(otelcol_exporter_send_failed_spans_total[$__rate_interval]))',
          legend: 'spans failed {{exporter}}',
        },
        {
          expr: 'sum by (exporter) (rate(otelcol_exporter_sent_metric_points_total[$__rate_interval]))',
          legend: 'points sent {{exporter}}',
        },
        {
          expr: 'sum by (exporter) (rate(otelcol_exporter_send_failed_metric_points_total[$__rate_interval]))',
          legend: 'points failed {{exporter}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Sending queue usage', 'percentunit', [
        {
          expr: 'max by (exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)',
          legend: '{{exporter}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Collector memory (RSS)', 'bytes', [
        { expr: 'max by (instance) (otelcol_process_memory_rss_bytes)', legend: '{{instance}}' },
      ]),
    )
    .withRow(new RowBuilder('Span metrics (services that only send traces)'))
    .withPanel(
      timeseries('Span rate by service', 'ops', [
        {
          expr: `sum by (service_name) (rate(${SM}_calls_total{${SPAN_SEL}, span_kind="SPAN_KIND_SERVER"}[$__rate_interval]))`,
          legend: '{{service_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Span error ratio by service', 'percentunit', [
        {
          expr: `sum by (service_name) (rate(${SM}_calls_total{${SPAN_SEL}, span_kind="SPAN_KIND_SERVER", status_code="STATUS_CODE_ERROR"}[$__rate_interval])) / sum by (service_name) (rate(${SM}_calls_total{${SPAN_SEL}, span_kind="SPAN_KIND_SERVER"}[$__rate_interval]))`,
          legend: '{{service_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Span p95 duration by service', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, service_name) (rate(${SM}_duration_seconds_bucket{${SPAN_SEL}, span_kind="SPAN_KIND_SERVER"}[$__rate_interval])))`,
          legend: '{{service_name}}',
        },
      ]),
    )
    .build()
}
