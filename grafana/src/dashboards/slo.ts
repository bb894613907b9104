// SLO: availability (non-5xx) and latency (faster than slo_latency_target_seconds) side by side,
// each against its target over 30 days: the SLI, the error budget left, and the burn rates over
// the multi-window pairs the alerts use. Every query reads the recording rules of
// otel-collector/prometheus/rules/recording.yml (the same numbers the alerts see, 30-day windows
// recorded every 5 minutes), never raw 30-day rates.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, stat, steps, timeseries } from '../panels.ts'
import type { Thresholds } from '../thresholds.ts'

const SVC = 'service_name=~"$service"'
type Slo = 'availability' | 'latency'

/** A recorded series of the selected services. */
const rec = (name: string) => `${name}{${SVC}}`

export function slo(t: Thresholds): Dashboard {
  const name = { availability: 'Availability', latency: 'Latency' } as const
  const target = { availability: t.slo_availability_target, latency: t.slo_latency_target } as const
  const burnSteps = (page: number) => steps('green', [t.slo_burn_rate_ticket_1d, 'orange'], [page, 'red'])
  const d = dashboard('otelkit-slo', 'otelkit / SLO').description(
    `Availability SLO ${target.availability * 100}% of requests without a 5xx, latency SLO ${target.latency * 100}% of requests faster than ${t.slo_latency_target_seconds} s, over 30 days (otel-collector/thresholds.yaml), from the recording rules.`,
  )

  d.withRow(new RowBuilder('Over 30 days'))
  for (const s of ['availability', 'latency'] as const satisfies Slo[]) {
    d.withPanel(
      stat(
        `${name[s]} SLI (30 days)`,
        'percentunit',
        [{ expr: `1 - ${rec(`service:slo_${s}_errors:ratio_rate30d`)}`, legend: '{{service_name}}' }],
        steps('red', [target[s], 'green']),
        `Green at or above the target, ${target[s]}.`,
      ).decimals(3),
    )
  }
  for (const s of ['availability', 'latency'] as const satisfies Slo[]) {
    d.withPanel(
      stat(
        `${name[s]} error budget left (30 days)`,
        'percentunit',
        [{ expr: rec(`service:slo_${s}:error_budget_remaining30d`), legend: '{{service_name}}' }],
        // a day of the ticket burn (10% of the budget) left: orange; none left: red
        steps('red', [0, 'orange'], [t.slo_burn_rate_ticket_1d / 30, 'green']),
        `Share of the 30-day error budget (1 - ${target[s]}) not yet spent.`,
      ),
    )
  }

  d.withRow(new RowBuilder('Burn rates (page)'))
  for (const s of ['availability', 'latency'] as const satisfies Slo[]) {
    d.withPanel(
      stat(
        `${name[s]} burn rate (1h)`,
        'x',
        [{ expr: rec(`service:slo_${s}:burn_rate1h`), legend: '{{service_name}}' }],
        burnSteps(t.slo_burn_rate_page_1h),
      ),
    )
  }
  for (const s of ['availability', 'latency'] as const satisfies Slo[]) {
    d.withPanel(
      stat(
        `${name[s]} burn rate (6h)`,
        'x',
        [{ expr: rec(`service:slo_${s}:burn_rate6h`), legend: '{{service_name}}' }],
        burnSteps(t.slo_burn_rate_page_6h),
      ),
    )
  }
  for (const [long, short, page] of [
    ['1h', '5m', t.slo_burn_rate_page_1h],
    ['6h', '30m', t.slo_burn_rate_page_6h],
  ] as const) {
    for (const s of ['availability', 'latency'] as const satisfies Slo[]) {
      d.withPanel(
        timeseries(
          `${name[s]}: ${long} and ${short} windows`,
          'x',
          [
            { expr: rec(`service:slo_${s}:burn_rate${long}`), legend: `{{service_name}} ${long}` },
            { expr: rec(`service:slo_${s}:burn_rate${short}`), legend: `{{service_name}} ${short}` },
          ],
          `Pages when both exceed ${page} and the service serves over slo_page_min_request_rate (${t.slo_page_min_request_rate} req/s) over ${long}; below that, a ticket.`,
        ).span(12),
      )
    }
  }

  d.withRow(new RowBuilder('Traffic and slow burns (ticket)'))
  d.withPanel(
    stat(
      'Requests per second (1h)',
      'reqps',
      [{ expr: rec('service:http_server_requests:rate1h'), legend: '{{service_name}}' }],
      steps('blue', [t.slo_page_min_request_rate, 'green']),
      'Blue: under slo_page_min_request_rate, an SLO burn opens a ticket instead of paging.',
    ).span(8),
  )
  for (const s of ['availability', 'latency'] as const satisfies Slo[]) {
    d.withPanel(
      timeseries(
        `${name[s]}: 1d and 3d windows`,
        'x',
        [
          { expr: rec(`service:slo_${s}:burn_rate1d`), legend: '{{service_name}} 1d' },
          { expr: rec(`service:slo_${s}:burn_rate3d`), legend: '{{service_name}} 3d' },
        ],
        `A ticket when the 1d (with 2h) exceeds ${t.slo_burn_rate_ticket_1d} or the 3d (with 6h) exceeds ${t.slo_burn_rate_ticket_3d}.`,
      ).span(8),
    )
  }
  return d.build()
}
