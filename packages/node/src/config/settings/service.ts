/** Settings of the SDK as a whole: on or off, the service's identity and resource, instrumentations, logs. */
import { setting } from './define.js'
import { boolean, duration, keyValues, listOf, oneOf, text } from './kinds.js'

export const RESOURCE_DETECTORS = [
  'env',
  'host',
  'os',
  'process',
  'container',
  'aws',
  'gcp',
  'azure',
  'none',
] as const
export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const

/** Longest `service.name` kept; it is a label on every series and an attribute on every span. */
export const MAX_SERVICE_NAME_LENGTH = 255

export const SERVICE_SETTINGS = {
  disabled: setting(boolean, {
    variables: [{ name: 'OTEL_SDK_DISABLED', example: 'true', doc: 'turn everything off' }],
    default: false,
  }),
  serviceName: setting(text(), {
    variables: [
      {
        name: 'OTEL_SERVICE_NAME',
        example: 'shop-api',
        defaultDoc: "the app's package.json `name`",
        doc: `\`service.name\` (and the \`service_name\` label); longer than ${MAX_SERVICE_NAME_LENGTH} characters: cut, with a warning`,
      },
    ],
    default: 'unknown_service:node',
  }),
  serviceVersion: setting(text(), {
    variables: [
      {
        name: 'OTEL_SERVICE_VERSION',
        example: '1.4.2',
        defaultDoc: "the app's package.json `version`",
        doc: '`service.version`',
      },
    ],
  }),
  resourceAttributes: setting(keyValues('deployment.environment.name=prod,team=shop'), {
    variables: [
      {
        name: 'OTEL_RESOURCE_ATTRIBUTES',
        example: 'deployment.environment.name=prod,team=shop',
        doc: 'extra resource attributes, percent-encoded values',
      },
    ],
  }),
  resourceDetectors: setting(listOf(RESOURCE_DETECTORS), {
    variables: [
      {
        name: 'OTEL_NODE_RESOURCE_DETECTORS',
        example: 'env,host,aws',
        doc: 'detectors; `aws`, `gcp`, `azure` query metadata addresses and need their `@opentelemetry/resource-detector-*` package',
      },
    ],
    default: ['env', 'host', 'os', 'process', 'container'],
  }),
  enabledInstrumentations: setting(listOf(), {
    variables: [
      {
        name: 'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
        example: 'http,pg',
        defaultDoc: 'all that apply',
        doc: 'only these (names below)',
      },
    ],
  }),
  disabledInstrumentations: setting(listOf(), {
    variables: [{ name: 'OTEL_NODE_DISABLED_INSTRUMENTATIONS', example: 'fs,dns', doc: 'all but these' }],
    default: [],
  }),
  logLevel: setting(oneOf(LOG_LEVELS), {
    variables: [
      {
        name: 'OTEL_LOG_LEVEL',
        example: 'debug',
        doc: "otelkit's own log lines on stderr, and the OpenTelemetry API's `diag` (upstream instrumentations, SDK, exporters) as `upstream:` lines, rate-limited: `none`, `error`, `warn`, `info`, `debug`, `verbose`, `all`",
      },
    ],
    default: 'info',
  }),
  slowQueryMs: setting(duration(0, 3_600_000), {
    variables: [
      {
        name: 'OTELKIT_SLOW_QUERY_MS',
        example: '200ms',
        doc: 'SQL statements slower than this are logged once each time (0: off)',
      },
    ],
    default: 500,
  }),
  shutdownTimeoutMs: setting(duration(0, 60_000), {
    variables: [
      { name: 'OTELKIT_SHUTDOWN_TIMEOUT', example: '2s', doc: 'flush budget on SIGTERM/SIGINT/exit' },
    ],
    default: 5000,
  }),
}
