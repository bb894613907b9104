// Health: each dependency check's status over time and latency, and the overall status
// (otelkit_health_status: 1 up, 0.5 degraded, 0 down; the service's aggregate is the series
// with health_check_name="_overall").
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { MappingType } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, SEL, stat, stateTimeline, steps, timeseries } from '../panels.ts'
import type { Thresholds } from '../thresholds.ts'

const CHECKS = `${SEL}, health_check_name!="_overall"`
const OVERALL = `${SEL}, health_check_name="_overall"`

const statusText = [
  {
    type: MappingType.ValueToText as const,
    options: {
      '0': { text: 'down', color: 'red', index: 0 },
      '0.5': { text: 'degraded', color: 'orange', index: 1 },
      '1': { text: 'up', color: 'green', index: 2 },
    },
  },
]

export function health(t: Thresholds): Dashboard {
  // down at or below health_down_value, degraded (0.5) orange, up (1) green
  const status = steps('red', [Math.max(t.health_down_value + 0.01, 0.5), 'orange'], [1, 'green'])
  return dashboard('otelkit-health', 'otelkit / Health')
    .description('Dependency health checks run by otelkit in the background (also served on /readyz).')
    .withRow(new RowBuilder('Status'))
    .withPanel(
      stat(
        'Overall status',
        'none',
        [
          {
            expr: `min by (service_name, instance) (otelkit_health_status{${OVERALL}})`,
            legend: '{{service_name}} {{instance}}',
          },
        ],
        status,
      )
        .mappings(statusText)
        .span(12),
    )
    .withPanel(
      stat(
        'Critical checks down',
        'short',
        [
          {
            expr: `count(otelkit_health_status{${CHECKS}, critical="true"} <= ${t.health_down_value}) or vector(0)`,
          },
        ],
        steps('green', [1, 'red']),
        'Checks marked critical at or below health_down_value: each one pages (OtelkitDependencyDown).',
      ).span(6),
    )
    .withPanel(
      stat(
        'Other checks down',
        'short',
        [
          {
            expr: `count(otelkit_health_status{${CHECKS}, critical!="true"} <= ${t.health_down_value}) or vector(0)`,
          },
        ],
        steps('green', [1, 'orange']),
        'Checks not marked critical at or below health_down_value: a ticket (OtelkitDependencyDownNonCritical).',
      ).span(6),
    )
    .withPanel(
      stateTimeline('Check status over time', [
        {
          expr: `min by (health_check_name) (otelkit_health_status{${CHECKS}})`,
          legend: '{{health_check_name}}',
        },
        { expr: `min(otelkit_health_status{${OVERALL}})`, legend: 'overall' },
      ]).mappings(statusText),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(
      timeseries('Check duration p95', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, health_check_name) (rate(otelkit_health_check_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
          legend: '{{health_check_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Check runs per second', 'ops', [
        {
          expr: `sum by (health_check_name) (rate(otelkit_health_check_duration_seconds_count{${SEL}}[$__rate_interval]))`,
          legend: '{{health_check_name}}',
        },
      ]),
    )
    .build()
}
