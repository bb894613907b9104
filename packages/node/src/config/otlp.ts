/**
 * The OTLP settings of each signal (traces, metrics, logs), resolved once from the generic
 * `OTEL_EXPORTER_OTLP_*` settings and their per-signal forms (`OTEL_EXPORTER_OTLP_TRACES_*`,
 * `_METRICS_*`, `_LOGS_*`, or the `otlpTraces*` ... options). Per the specification a per-signal
 * setting wins over the generic one; the generic endpoint gets `/v1/<signal>` appended for the
 * HTTP protocols, a per-signal endpoint is used as is. An endpoint without a scheme
 * (`host:port`) is `https://` unless `..._INSECURE=true` makes it `http://`. Every exporter
 * (otelkit's own and the upstream ones) reads its settings from here, never from the environment.
 */
import { DEFAULT_OTLP_GRPC_ENDPOINT, DEFAULT_OTLP_HTTP_ENDPOINT, DEFAULTS } from './defaults.js'
import type { OtlpCompression, OtlpProtocol } from './options.js'
import {
  type OtlpSettingName,
  type OtlpSignal,
  otlpOptionName,
  otlpVariableName,
} from './settings/otlp-names.js'

export {
  OTLP_SETTINGS,
  OTLP_SIGNALS,
  type OtlpSettingName,
  type OtlpSignal,
  otlpOptionName,
  otlpVariableName,
  SIGNAL_OPTION_PART,
} from './settings/otlp-names.js'

/** A TLS file setting: the path, and which variable (and option) set it, for messages. */
export interface OtlpTlsFile {
  /** As given (relative paths are relative to the working directory). */
  path: string
  /** e.g. `OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE (otlpTracesCertificate)`. */
  setting: string
}

/** TLS files of one signal; each is absent when neither its per-signal nor generic form is set. */
export interface OtlpTlsSettings {
  /** CA certificate(s) (PEM) that verify the server. */
  certificate?: OtlpTlsFile
  /** Client private key (PEM), for mTLS. */
  clientKey?: OtlpTlsFile
  /** Client certificate chain (PEM), for mTLS. */
  clientCertificate?: OtlpTlsFile
}

/** Everything an OTLP exporter of one signal needs. */
export interface OtlpSignalConfig {
  signal: OtlpSignal
  /** Full URL with scheme: HTTP protocols `.../v1/<signal>` (or the per-signal endpoint as given); grpc `scheme://host:port`. */
  endpoint: string
  protocol: OtlpProtocol
  /** Generic headers, overridden key by key by the per-signal ones. Values are never logged. */
  headers: Record<string, string>
  /** Bound of one export request, ms. */
  timeoutMs: number
  compression: OtlpCompression
  tls: OtlpTlsSettings
}

export type OtlpConfig = Record<OtlpSignal, OtlpSignalConfig>

/** Merged options; this module reads the generic `otlp*` keys and their per-signal forms. */
export type OtlpOptionsInput = object

const SIGNAL_PATHS: Record<OtlpSignal, string> = {
  traces: '/v1/traces',
  metrics: '/v1/metrics',
  logs: '/v1/logs',
}

function withScheme(endpoint: string, insecure: boolean): string {
  return /^https?:\/\//i.test(endpoint) ? endpoint : `${insecure ? 'http' : 'https'}://${endpoint}`
}

/** Resolves one signal from the merged options (code over env already applied). */
export function resolveOtlpSignal(options: OtlpOptionsInput, signal: OtlpSignal): OtlpSignalConfig {
  const merged = options as Record<string, unknown>
  const pick = <T>(setting: OtlpSettingName): T | undefined =>
    (merged[otlpOptionName(setting, signal)] ?? merged[otlpOptionName(setting)]) as T | undefined
  const protocol = pick<OtlpProtocol>('Protocol') ?? DEFAULTS.otlpProtocol
  const insecure = pick<boolean>('Insecure') ?? DEFAULTS.otlpInsecure
  const own = merged[otlpOptionName('Endpoint', signal)] as string | undefined
  const base = merged[otlpOptionName('Endpoint')] as string | undefined
  let endpoint: string
  if (own !== undefined) endpoint = withScheme(own, insecure)
  else if (protocol === 'grpc') endpoint = withScheme(base ?? DEFAULT_OTLP_GRPC_ENDPOINT, insecure)
  else {
    endpoint = `${withScheme(base ?? DEFAULT_OTLP_HTTP_ENDPOINT, insecure).replace(/\/$/, '')}${SIGNAL_PATHS[signal]}`
  }
  const file = (setting: OtlpSettingName): OtlpTlsFile | undefined => {
    for (const s of [signal, undefined]) {
      const path = merged[otlpOptionName(setting, s)] as string | undefined
      if (path !== undefined && path !== '') {
        return { path, setting: `${otlpVariableName(setting, s)} (${otlpOptionName(setting, s)})` }
      }
    }
    return undefined
  }
  const tls: OtlpTlsSettings = {}
  const certificate = file('Certificate')
  const clientKey = file('ClientKey')
  const clientCertificate = file('ClientCertificate')
  if (certificate) tls.certificate = certificate
  if (clientKey) tls.clientKey = clientKey
  if (clientCertificate) tls.clientCertificate = clientCertificate
  return {
    signal,
    endpoint,
    protocol,
    headers: {
      ...((merged[otlpOptionName('Headers')] as Record<string, string> | undefined) ?? {}),
      ...((merged[otlpOptionName('Headers', signal)] as Record<string, string> | undefined) ?? {}),
    },
    timeoutMs: pick<number>('TimeoutMs') ?? DEFAULTS.otlpTimeoutMs,
    compression: pick<OtlpCompression>('Compression') ?? DEFAULTS.otlpCompression,
    tls,
  }
}

/** The OTLP settings of every signal. */
export function resolveOtlp(merged: OtlpOptionsInput): OtlpConfig {
  return {
    traces: resolveOtlpSignal(merged, 'traces'),
    metrics: resolveOtlpSignal(merged, 'metrics'),
    logs: resolveOtlpSignal(merged, 'logs'),
  }
}
