/** Settings of where each signal goes, and of the OTLP metric push. */
import { setting } from './define.js'
import { duration, listOf } from './kinds.js'

export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const
export const METRICS_EXPORTERS = ['prometheus', 'otlp', 'console', 'none'] as const
export const LOGS_EXPORTERS = ['otlp', 'console', 'none'] as const

const HOUR = 3_600_000

export const EXPORT_SETTINGS = {
  tracesExporter: setting(listOf(TRACES_EXPORTERS), {
    variables: [{ name: 'OTEL_TRACES_EXPORTER', example: 'otlp,console', doc: '`otlp`, `console`, `none`' }],
    default: ['otlp'],
  }),
  metricsExporter: setting(listOf(METRICS_EXPORTERS), {
    variables: [
      {
        name: 'OTEL_METRICS_EXPORTER',
        example: 'otlp',
        doc: '`prometheus` (pull on the ops server), `otlp` (push), `console`, `none`; pick one path per service',
      },
    ],
    default: ['prometheus'],
  }),
  logsExporter: setting(listOf(LOGS_EXPORTERS), {
    variables: [
      {
        name: 'OTEL_LOGS_EXPORTER',
        example: 'none',
        doc: 'where pino, winston and bunyan records also go: `otlp`, `console`, `none`, see [logs](#logs)',
      },
    ],
    default: ['otlp'],
  }),
  metricExportIntervalMs: setting(duration(100, HOUR), {
    variables: [{ name: 'OTEL_METRIC_EXPORT_INTERVAL', example: '15s', doc: 'OTLP metric push interval' }],
    default: 60_000,
  }),
  metricExportTimeoutMs: setting(duration(1, HOUR), {
    variables: [
      {
        name: 'OTEL_METRIC_EXPORT_TIMEOUT',
        example: '10s',
        doc: 'bound of one OTLP metric push; longer than the interval: the interval, with a warning',
      },
    ],
    default: 30_000,
  }),
}
