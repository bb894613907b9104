/**
 * The configuration the SDK runs with: every option resolved to a concrete value (env and
 * options merged, defaults applied, endpoints completed).
 */
import type { OtlpProtocol } from './options.js'
import type { OtlpConfig } from './otlp.js'
import type { ResolvedSettings } from './settings/index.js'

/** Span limits as the tracer provider takes them (`Infinity`: no limit). */
export interface SpanLimitsConfig {
  attributeValueLengthLimit: number
  attributeCountLimit: number
  eventCountLimit: number
  linkCountLimit: number
  attributePerEventCountLimit: number
  attributePerLinkCountLimit: number
}

/** The fields resolve.ts computes beyond a setting's value (or instead of it). */
interface ResolvedExtras {
  /** OTLP settings per signal, resolved once (config/otlp.ts); every exporter reads these. */
  otlp: OtlpConfig
  /** Always an object (empty when not set). */
  resourceAttributes: Record<string, string>
  /** The flat `otlp*` fields below repeat `otlp.<signal>` (traces: endpoint, protocol; headers: the generic values). */
  otlpTracesEndpoint: string
  otlpMetricsEndpoint: string
  /** Full OTLP logs endpoint (`${otlpEndpoint}/v1/logs`, or the base endpoint for grpc). */
  otlpLogsEndpoint: string
  otlpTracesProtocol: OtlpProtocol
  otlpMetricsProtocol: OtlpProtocol
  otlpLogsProtocol: OtlpProtocol
  otlpHeaders: Record<string, string>
  /** The limits every span is held to (the span-specific settings, else the general ones). */
  spanLimits: SpanLimitsConfig
}

/**
 * Every setting's value (config/settings: the value, or `undefined` for a setting without a
 * default; settings marked `resolved: false` only feed `otlp` and `spanLimits`), and the extras.
 * `metricExportTimeoutMs` is at most `metricExportIntervalMs` (consistency.ts).
 */
export interface ResolvedConfig extends Omit<ResolvedSettings, keyof ResolvedExtras>, ResolvedExtras {}
