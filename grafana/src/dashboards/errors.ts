// Errors: rate by category (client, server, timeout, dependency, validation, unhandled) and by
// type, and the top error groups (category, type, route) over the selected range.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, SEL, stat, table, timeseries } from '../panels.ts'

const E = 'otelkit_errors_total'

export function errors(): Dashboard {
  return dashboard('otelkit-errors', 'otelkit / Errors')
    .description('Errors categorised and grouped by otelkit; details and stacks at /debug/errors.')
    .withRow(new RowBuilder('Rates'))
    .withPanel(
      stat('Errors per second', 'ops', [
        { expr: `sum(rate(${E}{${SEL}}[$__rate_interval])) or vector(0)` },
      ]).span(12),
    )
    .withPanel(
      stat('Unhandled errors over the range', 'short', [
        {
          expr: `sum(increase(${E}{${SEL}, error_category="unhandled"}[$__range])) or vector(0)`,
          instant: true,
        },
      ]).span(12),
    )
    .withPanel(
      timeseries('Errors by category', 'ops', [
        {
          expr: `sum by (error_category) (rate(${E}{${SEL}}[$__rate_interval]))`,
          legend: '{{error_category}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Errors by type', 'ops', [
        { expr: `sum by (error_type) (rate(${E}{${SEL}}[$__rate_interval]))`, legend: '{{error_type}}' },
      ]),
    )
    .withRow(new RowBuilder('Groups'))
    .withPanel(
      table('Top error groups over the range', 'short', [
        {
          expr: `topk(20, sum by (error_category, error_type, http_route) (increase(${E}{${SEL}}[$__range])))`,
        },
      ]).span(24),
    )
    .build()
}
