// Errors: rate by category (client, server, timeout, dependency, validation, unhandled) and by
// type, and the top error groups (category, type, route) over the selected range. Each group
// links to its traces in Jaeger; the `fingerprint` box (from /debug/errors, a log line or an
// alert) links to the traces of one error group (span attribute otelkit.error.fingerprint).
import {
  type Dashboard,
  DashboardLinkType,
  TextBoxVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard'
import {
  DashboardLinkBuilder,
  dashboard,
  RowBuilder,
  SEL,
  stat,
  steps,
  table,
  timeseries,
  traceSearchLink,
} from '../panels.ts'
import type { Thresholds } from '../thresholds.ts'

const E = 'otelkit_errors_total'

/** Traces of one error group, by the fingerprint typed into the dashboard's `fingerprint` box. */
const fingerprintTraces = traceSearchLink(`Traces of error fingerprint \${fingerprint}`, {
  service: `\${service}`,
  tags: `otelkit.error.fingerprint="\${fingerprint}"`,
})

export function errors(t: Thresholds): Dashboard {
  return dashboard('otelkit-errors', 'otelkit / Errors')
    .description('Errors categorised and grouped by otelkit; details and stacks at /debug/errors.')
    .withVariable(
      new TextBoxVariableBuilder('fingerprint')
        .label('Error fingerprint')
        .description(
          'An error group fingerprint (/debug/errors, the [otelkit] error log line): links to its traces.',
        ),
    )
    .link(
      new DashboardLinkBuilder('Traces of error fingerprint $fingerprint')
        .type(DashboardLinkType.Link)
        .url(fingerprintTraces.build().url ?? '')
        .targetBlank(true)
        .icon('external link'),
    )
    .withRow(new RowBuilder('Rates'))
    .withPanel(
      stat(
        'Errors per second',
        'ops',
        [{ expr: `sum(rate(${E}{${SEL}}[$__rate_interval])) or vector(0)` }],
        steps('green', [t.error_spike_min_rate, 'orange']),
        'Orange from error_spike_min_rate, the rate an error-category spike needs to alert.',
      ).span(12),
    )
    .withPanel(
      stat(
        'Unhandled errors over the range',
        'short',
        [
          {
            expr: `sum(increase(${E}{${SEL}, error_category="unhandled"}[$__range])) or vector(0)`,
            instant: true,
          },
        ],
        // unhandled_error_rate 0: any one is red
        steps('green', [Math.max(1, t.unhandled_error_rate * 300), 'red']),
      )
        .span(12)
        .dataLinks([
          traceSearchLink('Traces of unhandled errors', {
            service: `\${service}`,
            tags: 'error.category=unhandled',
          }),
        ]),
    )
    .withPanel(
      timeseries('Errors by category', 'ops', [
        {
          expr: `sum by (error_category) (rate(${E}{${SEL}}[$__rate_interval]))`,
          legend: '{{error_category}}',
        },
      ]).dataLinks([
        traceSearchLink(`Traces of \${__field.labels.error_category} errors`, {
          service: `\${service}`,
          tags: `error.category="\${__field.labels.error_category}"`,
        }),
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
          expr: `topk(20, sum by (service_name, error_category, error_type, http_route) (increase(${E}{${SEL}}[$__range])))`,
        },
      ])
        .span(24)
        .dataLinks([
          traceSearchLink('Traces of this error group', {
            service: `\${__data.fields.service_name}`,
            tags: `error.category="\${__data.fields.error_category}" http.route="\${__data.fields.http_route}"`,
          }),
        ]),
    )
    .build()
}
