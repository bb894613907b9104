// Service overview (RED): request rate, error ratio, latency by route (with a heatmap whose
// exemplars open the request's trace), in-flight requests, queue time, status codes, slowest
// routes, outgoing HTTP calls. Route panels link to Jaeger's trace search for that route.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import {
  dashboard,
  heatmap,
  RowBuilder,
  SEL,
  stat,
  steps,
  table,
  timeseries,
  traceSearchLink,
} from '../panels.ts'
import type { Thresholds } from '../thresholds.ts'

const M = 'http_server_request_duration_seconds'
const rate = (extra = '') => `rate(${M}_count{${SEL}${extra}}[$__rate_interval])`
const quantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le, service_name, http_route) (rate(${M}_bucket{${SEL}}[$__rate_interval])))`

/** Traces of the series' service and route (a data link on route panels). */
const routeTraces = [
  traceSearchLink(`Traces of \${__field.labels.http_route}`, {
    service: `\${__field.labels.service_name}`,
    tags: `http.route="\${__field.labels.http_route}"`,
  }),
  traceSearchLink(`Failed traces of \${__field.labels.http_route}`, {
    service: `\${__field.labels.service_name}`,
    tags: `http.route="\${__field.labels.http_route}" error=true`,
  }),
]

export function serviceOverview(t: Thresholds): Dashboard {
  return dashboard('otelkit-service-overview', 'otelkit / Service overview')
    .description('Requests, errors and duration of HTTP servers instrumented by otelkit.')
    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(
      stat(
        'Request rate',
        'reqps',
        [{ expr: `sum(${rate()})` }],
        steps('blue', [t.slo_page_min_request_rate, 'green']),
        'Blue: under slo_page_min_request_rate, where an SLO burn opens a ticket instead of paging.',
      ),
    )
    .withPanel(
      stat(
        'Error ratio (5xx)',
        'percentunit',
        [{ expr: `(sum(${rate(', http_response_status_code=~"5.."')}) or vector(0)) / sum(${rate()})` }],
        steps('green', [t.error_ratio_warning, 'orange'], [t.error_ratio_critical, 'red']),
      ),
    )
    .withPanel(
      stat(
        'In-flight requests',
        'short',
        [{ expr: `sum(http_server_active_requests{${SEL}})` }],
        steps('green', [t.active_requests_max, 'red']),
      ),
    )
    .withPanel(
      stat(
        'p99 latency',
        's',
        [{ expr: `histogram_quantile(0.99, sum by (le) (rate(${M}_bucket{${SEL}}[$__rate_interval])))` }],
        steps('green', [t.latency_p95_seconds, 'orange'], [t.latency_p99_seconds, 'red']),
      ),
    )
    .withPanel(
      timeseries('Request rate by route', 'reqps', [
        {
          expr: `sum by (service_name, http_request_method, http_route) (${rate()})`,
          legend: '{{http_request_method}} {{http_route}}',
        },
      ]).dataLinks(routeTraces),
    )
    .withPanel(
      timeseries('Error ratio (5xx) by route', 'percentunit', [
        {
          expr: `(sum by (service_name, http_route) (${rate(', http_response_status_code=~"5.."')}) or (sum by (service_name, http_route) (${rate()}) * 0)) / sum by (service_name, http_route) (${rate()})`,
          legend: '{{http_route}}',
        },
      ]).dataLinks(routeTraces),
    )
    .withPanel(
      timeseries('Responses by status code', 'reqps', [
        { expr: `sum by (http_response_status_code) (${rate()})`, legend: '{{http_response_status_code}}' },
      ]),
    )
    .withPanel(
      timeseries('In-flight requests', 'short', [
        {
          expr: `sum by (http_request_method) (http_server_active_requests{${SEL}})`,
          legend: '{{http_request_method}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(
      heatmap(
        'Request duration (heatmap, exemplars link to traces)',
        `sum by (le) (increase(${M}_bucket{${SEL}}[$__rate_interval]))`,
        'Requests per duration bucket. The dots are exemplars: sampled requests (OpenMetrics exposition); click one to open its trace in Jaeger.',
      ),
    )
    .withPanel(
      timeseries('p50 latency by route', 's', [
        { expr: quantile(0.5), legend: '{{http_route}}', exemplar: true },
      ]).dataLinks(routeTraces),
    )
    .withPanel(
      timeseries('p90 latency by route', 's', [
        { expr: quantile(0.9), legend: '{{http_route}}', exemplar: true },
      ]).dataLinks(routeTraces),
    )
    .withPanel(
      timeseries('p99 latency by route', 's', [
        { expr: quantile(0.99), legend: '{{http_route}}', exemplar: true },
      ]).dataLinks(routeTraces),
    )
    .withPanel(
      table('Slowest routes (p95 over the range)', 's', [
        {
          expr: `topk(10, histogram_quantile(0.95, sum by (le, http_route) (rate(${M}_bucket{${SEL}}[$__range]))))`,
        },
      ]),
    )
    .withPanel(
      timeseries(
        'Queue time before the service (p95)',
        's',
        [
          {
            expr: `histogram_quantile(0.95, sum by (le) (rate(http_server_request_queue_time_seconds_bucket{${SEL}}[$__rate_interval])))`,
            legend: 'p95',
          },
        ],
        'Time a request waited in front of the service, from the X-Request-Start / X-Queue-Start header a proxy sets.',
      ),
    )
    .withPanel(
      timeseries('Outgoing HTTP calls p95 by server', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, server_address) (rate(http_client_request_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
          legend: '{{server_address}}',
        },
      ]),
    )
    .build()
}
