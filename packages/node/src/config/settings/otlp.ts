/**
 * Settings of OTLP export: each generic `OTEL_EXPORTER_OTLP_*` setting, and its per-signal forms
 * (`_TRACES_`, `_METRICS_`, `_LOGS_`; options `otlpTraces*`, ...) generated from it with the same
 * value kind. config/otlp.ts resolves them into `config.otlp.<signal>`.
 */
import { type Setting, setting, type ValueOf, type Variable } from './define.js'
import { boolean, duration, keyValues, oneOf, otlpEndpoint, path } from './kinds.js'
import {
  OTLP_SETTINGS,
  OTLP_SIGNALS,
  type OtlpSettingName,
  type OtlpSignal,
  otlpOptionName,
  otlpVariableName,
  type SignalOptionPart,
} from './otlp-names.js'

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const
export const OTLP_COMPRESSIONS = ['gzip', 'none'] as const
export const DEFAULT_OTLP_HTTP_ENDPOINT = 'http://localhost:4318'
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317'

const FAILS_CLOSED =
  'a file that cannot be loaded: nothing is sent (no fall-back to clear text), the data is dropped and counted with `reason="exporter_unavailable"`, one warning'

/** The generic settings (`otlpEndpoint`, ... / `OTEL_EXPORTER_OTLP_ENDPOINT`, ...). */
export const OTLP_GENERIC_SETTINGS = {
  otlpEndpoint: setting(otlpEndpoint, {
    variables: [
      {
        name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        example: 'http://otel-collector:4318',
        defaultDoc: `\`${DEFAULT_OTLP_HTTP_ENDPOINT}\` (grpc: \`:${new URL(DEFAULT_OTLP_GRPC_ENDPOINT).port}\`)`,
        doc: 'base URL; the HTTP protocols append `/v1/traces`, `/v1/metrics`, `/v1/logs`; `host:port` without a scheme: https unless `OTEL_EXPORTER_OTLP_INSECURE=true`',
      },
    ],
    // Endpoints may carry credentials.
    secret: true,
    resolved: false,
  }),
  otlpProtocol: setting(oneOf(OTLP_PROTOCOLS), {
    variables: [
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', example: 'grpc', doc: '`http/protobuf`, `http/json`, `grpc`' },
    ],
    default: 'http/protobuf',
    resolved: false,
  }),
  otlpHeaders: setting(keyValues('authorization=Bearer%20abc123,x-tenant=shop'), {
    variables: [
      {
        name: 'OTEL_EXPORTER_OTLP_HEADERS',
        example: 'authorization=Bearer%20abc',
        doc: 'headers on every export; never logged; a malformed pair is skipped with a warning, the others apply; on trace exports `content-type`, `content-length` and `content-encoding` are set by the exporter itself',
      },
    ],
    secret: true,
  }),
  otlpTimeoutMs: setting(duration(1, 600_000), {
    variables: [{ name: 'OTEL_EXPORTER_OTLP_TIMEOUT', example: '5s', doc: 'bound of one export request' }],
    default: 10_000,
  }),
  otlpCompression: setting(oneOf(OTLP_COMPRESSIONS), {
    variables: [{ name: 'OTEL_EXPORTER_OTLP_COMPRESSION', example: 'gzip', doc: '`gzip` or `none`' }],
    default: 'none',
  }),
  otlpCertificate: setting(path, {
    variables: [
      {
        name: 'OTEL_EXPORTER_OTLP_CERTIFICATE',
        example: '/etc/otel/ca.pem',
        defaultDoc: '(the system CAs)',
        doc: `CA certificate (PEM) that verifies the collector; needs an \`https://\` endpoint (with \`http://\` nothing is sent); ${FAILS_CLOSED}`,
      },
    ],
    resolved: false,
  }),
  otlpClientKey: setting(path, {
    variables: [
      {
        name: 'OTEL_EXPORTER_OTLP_CLIENT_KEY',
        example: '/etc/otel/client.key',
        doc: `client private key (PEM) for mTLS, with \`..._CLIENT_CERTIFICATE\`; ${FAILS_CLOSED}`,
      },
    ],
    resolved: false,
  }),
  otlpClientCertificate: setting(path, {
    variables: [
      {
        name: 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE',
        example: '/etc/otel/client.pem',
        doc: 'client certificate chain (PEM) for mTLS, with `..._CLIENT_KEY`',
      },
    ],
    resolved: false,
  }),
  otlpInsecure: setting(boolean, {
    variables: [
      {
        name: 'OTEL_EXPORTER_OTLP_INSECURE',
        example: 'true',
        doc: 'an endpoint written `host:port` (no scheme) is `http://` when true, `https://` when false; a scheme in the endpoint always decides',
      },
    ],
    default: false,
    resolved: false,
  }),
} satisfies { [K in OtlpSettingName as `otlp${K}`]: Setting<unknown> }

type Generic = typeof OTLP_GENERIC_SETTINGS

/** The per-signal README row of each setting (its default is the generic variable, unless said). */
const PER_SIGNAL: Record<OtlpSettingName, (signal: OtlpSignal) => Omit<Variable, 'name'>> = {
  Endpoint: (s) => ({
    example: `https://collector.example/v1/${s}`,
    defaultDoc: `base + \`/v1/${s}\``,
    doc: `${s} endpoint, used as is (nothing appended)`,
  }),
  Protocol: (s) => ({ example: 'grpc', doc: `protocol of ${s} only` }),
  Headers: (s) => ({
    example: 'x-tenant=shop',
    doc: `headers of ${s} exports; win key by key over the generic ones`,
  }),
  TimeoutMs: (s) => ({ example: '5s', doc: `timeout of ${s} exports` }),
  Compression: (s) => ({ example: 'gzip', doc: `compression of ${s} exports` }),
  Certificate: (s) => ({ example: '/etc/otel/ca.pem', doc: `CA certificate of ${s} exports` }),
  ClientKey: (s) => ({ example: '/etc/otel/client.key', doc: `client key of ${s} exports` }),
  ClientCertificate: (s) => ({ example: '/etc/otel/client.pem', doc: `client certificate of ${s} exports` }),
  Insecure: (s) => ({ example: 'true', doc: `the same for the ${s} endpoint` }),
}

/** The per-signal settings' types. */
export type OtlpPerSignalSettings = {
  [K in OtlpSettingName as `otlp${SignalOptionPart}${K}`]: Setting<ValueOf<Generic[`otlp${K}`]>> & {
    resolved: false
  }
}

/**
 * Every OTLP setting, each generic one followed by its per-signal forms (traces, metrics, logs):
 * `otlpTracesHeaders`, ... have the generic setting's kind and secrecy, no default of their own.
 */
function otlpSettings(): typeof OTLP_GENERIC_SETTINGS & OtlpPerSignalSettings {
  const out: Record<string, Setting<unknown>> = {}
  for (const name of Object.keys(OTLP_SETTINGS) as OtlpSettingName[]) {
    const generic: Setting<unknown> = OTLP_GENERIC_SETTINGS[`otlp${name}`]
    out[otlpOptionName(name)] = generic
    for (const signal of OTLP_SIGNALS) {
      out[otlpOptionName(name, signal)] = {
        kind: generic.kind,
        variables: [
          {
            name: otlpVariableName(name, signal),
            defaultDoc: `\`${otlpVariableName(name)}\``,
            ...PER_SIGNAL[name](signal),
          },
        ],
        ...(generic.secret ? { secret: true } : {}),
        resolved: false,
      }
    }
  }
  return out as typeof OTLP_GENERIC_SETTINGS & OtlpPerSignalSettings
}

export const OTLP_EXPORT_SETTINGS = otlpSettings()
