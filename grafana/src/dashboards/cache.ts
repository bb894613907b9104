// Cache (@otelkit/cache): hit ratio overall, per cache and per tier, stale serves, errors,
// operation latency, in-process L1 size and evictions.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, SEL, stat, steps, timeseries } from '../panels.ts'
import type { Thresholds } from '../thresholds.ts'

const R = 'otelkit_cache_requests_total'
/** otelkit.cache.size: L1 entries and bytes, told apart by cache_size_kind. */
const L1_SIZE = 'otelkit_cache_size'
const rate = (by: string, extra = '') => `sum by (${by}) (rate(${R}{${SEL}${extra}}[$__rate_interval]))`
const ratio = (by: string) => `(${rate(by, ', cache_result=~"hit|stale"')} or ${rate(by)} * 0) / ${rate(by)}`

export function cache(t: Thresholds): Dashboard {
  return dashboard('otelkit-cache', 'otelkit / Cache')
    .description('Response and query caching by @otelkit/cache: L1 (in-process) and L2 (Redis).')
    .withRow(new RowBuilder('Hit ratio'))
    .withPanel(
      stat(
        'Hit ratio',
        'percentunit',
        [
          {
            expr: `(sum(rate(${R}{${SEL}, cache_result=~"hit|stale"}[$__rate_interval])) or vector(0)) / sum(rate(${R}{${SEL}}[$__rate_interval]))`,
          },
        ],
        steps('red', [t.cache_hit_ratio_min, 'green']),
        'Red under cache_hit_ratio_min (OtelkitCacheHitRatioLow).',
      ),
    )
    .withPanel(
      stat(
        'Cache requests',
        'reqps',
        [{ expr: `sum(rate(${R}{${SEL}}[$__rate_interval]))` }],
        steps('blue', [t.cache_min_request_rate, 'green']),
        'Blue under cache_min_request_rate, where the hit-ratio alert does not apply.',
      ),
    )
    .withPanel(
      timeseries('Hit ratio per cache', 'percentunit', [
        { expr: ratio('cache_name'), legend: '{{cache_name}}' },
      ]),
    )
    .withPanel(
      timeseries('Hit ratio per tier', 'percentunit', [
        { expr: ratio('cache_tier'), legend: '{{cache_tier}}' },
      ]),
    )
    .withPanel(
      timeseries('Requests by result', 'reqps', [
        { expr: rate('cache_name, cache_result'), legend: '{{cache_name}} {{cache_result}}' },
      ]),
    )
    .withPanel(
      timeseries(
        'Stale serves',
        'reqps',
        [{ expr: `${rate('cache_name', ', cache_result="stale"')} or vector(0)`, legend: '{{cache_name}}' }],
        'Entries served past their TTL (within staleTtl) while a refresh runs; 0 when none.',
      ),
    )
    .withRow(new RowBuilder('Errors and latency'))
    .withPanel(
      timeseries(
        'Cache errors',
        'ops',
        [
          {
            expr: `sum by (cache_name, error_type) (rate(otelkit_cache_errors_total{${SEL}}[$__rate_interval])) or vector(0)`,
            legend: '{{cache_name}} {{error_type}}',
          },
        ],
        'Failed cache operations (the cache fails open: the loader ran instead); 0 when none.',
      ),
    )
    .withPanel(
      timeseries('Operation p95', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, cache_name, cache_operation) (rate(otelkit_cache_operation_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
          legend: '{{cache_name}} {{cache_operation}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Loader p95 (misses and refreshes)', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, cache_name) (rate(otelkit_cache_loader_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
          legend: '{{cache_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries('HTTP response cache by route', 'reqps', [
        {
          expr: `sum by (http_route, cache_result) (rate(otelkit_cache_http_requests_total{${SEL}}[$__rate_interval]))`,
          legend: '{{http_route}} {{cache_result}}',
        },
      ]),
    )
    .withRow(new RowBuilder('In-process L1'))
    .withPanel(
      timeseries('L1 entries', 'short', [
        {
          expr: `sum by (cache_name) (${L1_SIZE}{${SEL}, cache_size_kind="entries"})`,
          legend: '{{cache_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries('L1 bytes', 'bytes', [
        {
          expr: `sum by (cache_name) (${L1_SIZE}{${SEL}, cache_size_kind="bytes"})`,
          legend: '{{cache_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries(
        'L1 evictions',
        'ops',
        [
          {
            expr: `sum by (cache_name) (rate(otelkit_cache_evictions_total{${SEL}}[$__rate_interval])) or vector(0)`,
            legend: '{{cache_name}}',
          },
        ],
        'Entries evicted by the L1 entry or byte limit; 0 when the limits were never reached.',
      ),
    )
    .build()
}
