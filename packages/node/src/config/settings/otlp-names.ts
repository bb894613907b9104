/**
 * How the OTLP settings are named: each setting every signal has, in options (`otlp<Setting>`,
 * per signal `otlp<Signal><Setting>`) and in variables (`OTEL_EXPORTER_OTLP_<VARIABLE>`, per
 * signal `OTEL_EXPORTER_OTLP_<SIGNAL>_<VARIABLE>`).
 */

export const OTLP_SIGNALS = ['traces', 'metrics', 'logs'] as const
/** A signal exported over OTLP. */
export type OtlpSignal = (typeof OTLP_SIGNALS)[number]

export const OTLP_SETTINGS = {
  Endpoint: 'ENDPOINT',
  Protocol: 'PROTOCOL',
  Headers: 'HEADERS',
  TimeoutMs: 'TIMEOUT',
  Compression: 'COMPRESSION',
  Certificate: 'CERTIFICATE',
  ClientKey: 'CLIENT_KEY',
  ClientCertificate: 'CLIENT_CERTIFICATE',
  Insecure: 'INSECURE',
} as const
export type OtlpSettingName = keyof typeof OTLP_SETTINGS

/** Capitalised signal as used in option names (`otlpTracesHeaders`). */
export const SIGNAL_OPTION_PART = {
  traces: 'Traces',
  metrics: 'Metrics',
  logs: 'Logs',
} as const satisfies Record<OtlpSignal, string>
export type SignalOptionPart = (typeof SIGNAL_OPTION_PART)[OtlpSignal]

/** Option name of a setting: generic (`otlpHeaders`) or per signal (`otlpTracesHeaders`). */
export function otlpOptionName(setting: OtlpSettingName, signal?: OtlpSignal): string {
  return `otlp${signal ? SIGNAL_OPTION_PART[signal] : ''}${setting}`
}

/** Variable name of a setting: generic or per signal. */
export function otlpVariableName(setting: OtlpSettingName, signal?: OtlpSignal): string {
  return `OTEL_EXPORTER_OTLP_${signal ? `${signal.toUpperCase()}_` : ''}${OTLP_SETTINGS[setting]}`
}
