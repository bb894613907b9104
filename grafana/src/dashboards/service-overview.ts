// Service overview (RED): request rate, error ratio, latency by route, in-flight requests,
// queue time, status codes, slowest routes, outgoing HTTP calls.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, SEL, stat, table, timeseries } from '../panels.ts'

const M = 'http_server_request_duration_seconds'
const rate = (extra = '') => `rate(${M}_count{${SEL}${extra}}[$__rate_interval])`
const quantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le, http_route) (rate(${M}_bucket{${SEL}}[$__rate_interval])))`

export function serviceOverview(): Dashboard {
  return dashboard('otelkit-service-overview', 'otelkit / Service overview')
    .description('Requests, errors and duration of HTTP servers instrumented by otelkit.')
    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(stat('Request rate', 'reqps', [{ expr: `sum(${rate()})` }]))
    .withPanel(
      stat('Error ratio (5xx)', 'percentunit', [
        { expr: `(sum(${rate(', http_response_status_code=~"5.."')}) or vector(0)) / sum(${rate()})` },
      ]),
    )
    .withPanel(stat('In-flight requests', 'short', [{ expr: `sum(http_server_active_requests{${SEL}})` }]))
    .withPanel(
      stat('p99 latency', 's', [
        { expr: `histogram_quantile(0.99, sum by (le) (rate(${M}_bucket{${SEL}}[$__rate_interval])))` },
      ]),
    )
    .withPanel(
      timeseries('Request rate by route', 'reqps', [
        {
          expr: `sum by (http_request_method, http_route) (${rate()})`,
          legend: '{{http_request_method}} {{http_route}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Error ratio (5xx) by route', 'percentunit', [
        {
          expr: `(sum by (http_route) (${rate(', http_response_status_code=~"5.."')}) or (sum by (http_route) (${rate()}) * 0)) / sum by (http_route) (${rate()})`,
          legend: '{{http_route}}',
        },
      ]),
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
      timeseries('p50 latency by route', 's', [
        { expr: quantile(0.5), legend: '{{http_route}}', exemplar: true },
      ]),
    )
    .withPanel(
      timeseries('p90 latency by route', 's', [
        { expr: quantile(0.9), legend: '{{http_route}}', exemplar: true },
      ]),
    )
    .withPanel(
      timeseries('p99 latency by route', 's', [
        { expr: quantile(0.99), legend: '{{http_route}}', exemplar: true },
      ]),
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
