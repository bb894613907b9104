// SLO: availability (non-5xx) against slo_availability_target over 30 days: error budget
// remaining, burn rates over the multi-window pairs, and the latency SLI.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, SEL, stat, timeseries } from '../panels.ts'
import type { Thresholds } from '../thresholds.ts'

const M = 'http_server_request_duration_seconds_count'

/** Error ratio (5xx / all) over a window, 0 when nothing failed. */
export function errorRatio(window: string, sel = SEL): string {
  return `((sum(rate(${M}{${sel}, http_response_status_code=~"5.."}[${window}])) or vector(0)) / sum(rate(${M}{${sel}}[${window}])))`
}

/** Burn rate over a window: error ratio divided by the error budget (1 - target). */
export function burnRate(window: string, target: number, sel = SEL): string {
  return `${errorRatio(window, sel)} / ${round(1 - target)}`
}

function round(n: number): number {
  return Number(n.toPrecision(12))
}

export function slo(t: Thresholds): Dashboard {
  const target = t.slo_availability_target
  return dashboard('otelkit-slo', 'otelkit / SLO')
    .description(
      `Availability SLO ${target * 100}% of requests without a 5xx over 30 days (otel-collector/thresholds.yaml).`,
    )
    .withRow(new RowBuilder('Error budget'))
    .withPanel(
      stat('Availability over 30 days', 'percentunit', [
        { expr: `1 - ${errorRatio('30d')}`, instant: true },
      ]).decimals(3),
    )
    .withPanel(
      stat('Error budget remaining (30 days)', 'percentunit', [
        { expr: `1 - ${errorRatio('30d')} / ${round(1 - target)}`, instant: true },
      ]),
    )
    .withPanel(stat('Burn rate (1h)', 'x', [{ expr: burnRate('1h', target), instant: true }]))
    .withPanel(stat('Burn rate (6h)', 'x', [{ expr: burnRate('6h', target), instant: true }]))
    .withRow(new RowBuilder('Burn rates'))
    .withPanel(
      timeseries(
        'Fast burn (page): 1h and 5m windows',
        'x',
        [
          { expr: burnRate('1h', target), legend: '1h' },
          { expr: burnRate('5m', target), legend: '5m' },
        ],
        `Pages when both exceed ${t.slo_burn_rate_page_1h}.`,
      ).span(12),
    )
    .withPanel(
      timeseries(
        'Slow burn (page): 6h and 30m windows',
        'x',
        [
          { expr: burnRate('6h', target), legend: '6h' },
          { expr: burnRate('30m', target), legend: '30m' },
        ],
        `Pages when both exceed ${t.slo_burn_rate_page_6h}.`,
      ).span(12),
    )
    .build()
}
