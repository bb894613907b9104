/**
 * Settings of the ops server (/metrics, health, /debug/*) and of the metrics it serves. The
 * standard Prometheus exporter variables set the same options as `OTELKIT_OPS_*`, which are
 * listed after them and so win when both are set.
 */
import { setting } from './define.js'
import { duration, host, integer, token } from './kinds.js'

export const OPS_SETTINGS = {
  opsPort: setting(integer(0, 65_535), {
    variables: [
      {
        name: 'OTEL_EXPORTER_PROMETHEUS_PORT',
        example: '9464',
        doc: 'ops server port, as the standard Prometheus exporter variable; `OTELKIT_OPS_PORT` wins when both are set',
      },
      { name: 'OTELKIT_OPS_PORT', example: '0', doc: 'ops server port (0: any free port)' },
    ],
    default: 9464,
  }),
  opsHost: setting(host, {
    variables: [
      {
        name: 'OTEL_EXPORTER_PROMETHEUS_HOST',
        example: '127.0.0.1',
        doc: 'ops server address, as the standard Prometheus exporter variable; `OTELKIT_OPS_HOST` wins when both are set',
      },
      {
        name: 'OTELKIT_OPS_HOST',
        example: '127.0.0.1',
        doc: 'ops server address; `0.0.0.0` is reachable from the network, see [ops server](#ops-server)',
      },
    ],
    default: '0.0.0.0',
  }),
  debugToken: setting(token, {
    variables: [
      {
        name: 'OTELKIT_DEBUG_TOKEN',
        exampleDoc: 'a 32-character random string',
        defaultDoc: '(off)',
        doc: 'enables `/debug/*`, only with `Authorization: Bearer <token>`; at least 16 characters; set but blank: a warning',
      },
    ],
    secret: true,
    blank: '/debug/* stay off; expected a secret of at least 16 characters without spaces',
  }),
  metricsToken: setting(token, {
    variables: [
      {
        name: 'OTELKIT_METRICS_TOKEN',
        exampleDoc: 'a 32-character random string',
        defaultDoc: '(open)',
        doc: '`/metrics` only with `Authorization: Bearer <token>`; at least 16 characters, see [ops server](#ops-server)',
      },
    ],
    secret: true,
  }),
  metricsCacheMs: setting(duration(0, 60_000), {
    variables: [
      {
        name: 'OTELKIT_METRICS_CACHE',
        example: '0',
        doc: 'a rendered `/metrics` is served again for this long (`0`: render every scrape)',
      },
    ],
    default: 1000,
  }),
  metricsLabelValuesMax: setting(integer(1, 10_000), {
    variables: [
      {
        name: 'OTELKIT_METRICS_LABEL_VALUES_MAX',
        example: '300',
        doc: 'distinct values per data-fed label and metric, then `_OTHER`, see [metrics](#metrics)',
      },
    ],
    default: 100,
  }),
}
