// Database: client operation latency, throughput, errors and slow operations
// (db_client_operation_duration_seconds, from client spans).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, SEL, table, timeseries } from '../panels.ts'

const M = 'db_client_operation_duration_seconds'

/** Operations slower than this bucket boundary (seconds) count as slow on this dashboard. */
export const SLOW_DB_SECONDS = '0.1'

export function database(): Dashboard {
  return dashboard('otelkit-database', 'otelkit / Database')
    .description('Database client operations recorded by otelkit (pg, mysql2, ioredis, redis).')
    .withRow(new RowBuilder('Operations'))
    .withPanel(
      timeseries('Operation p95 by system, operation and collection', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, db_system_name, db_operation_name, db_collection_name) (rate(${M}_bucket{${SEL}}[$__rate_interval])))`,
          legend: '{{db_system_name}} {{db_operation_name}} {{db_collection_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Operation rate', 'ops', [
        {
          expr: `sum by (db_system_name, db_operation_name) (rate(${M}_count{${SEL}}[$__rate_interval]))`,
          legend: '{{db_system_name}} {{db_operation_name}}',
        },
      ]),
    )
    .withPanel(
      timeseries(
        'Failed operations',
        'ops',
        [
          {
            expr: `sum by (db_system_name, error_type) (rate(${M}_count{${SEL}, error_type!=""}[$__rate_interval])) or vector(0)`,
            legend: '{{db_system_name}} {{error_type}}',
          },
        ],
        'Operations that ended with an error (error_type set); 0 when none failed.',
      ),
    )
    .withPanel(
      timeseries(
        `Slow operations (> ${SLOW_DB_SECONDS}s)`,
        'ops',
        [
          {
            expr: `sum by (db_system_name, db_operation_name) (rate(${M}_count{${SEL}}[$__rate_interval])) - sum by (db_system_name, db_operation_name) (rate(${M}_bucket{${SEL}, le="${SLOW_DB_SECONDS}"}[$__rate_interval]))`,
            legend: '{{db_system_name}} {{db_operation_name}}',
          },
        ],
        'Rate of operations above the bucket boundary; the statements are listed at /debug/queries.',
      ),
    )
    .withPanel(
      table('Slowest operations (p95 over the range)', 's', [
        {
          expr: `topk(10, histogram_quantile(0.95, sum by (le, db_system_name, db_operation_name, db_collection_name) (rate(${M}_bucket{${SEL}}[$__range]))))`,
        },
      ]),
    )
    .build()
}
