/**
 * How the logging libraries meet the logs signal: the options of the upstream pino, winston and
 * bunyan instrumentations. Log correlation (trace and span ids in the records the library writes)
 * is always on; log sending (each record also emitted to the logs signal, with its trace context
 * and the resource) is on exactly when `OTEL_LOGS_EXPORTER` names an exporter. Kept free of
 * heavy imports: the catalog asks it at start-up.
 */
import type { ResolvedConfig } from '../config/resolved.js'

/** True when `OTEL_LOGS_EXPORTER` names an exporter (`otlp` or `console`), false for `none`. */
export function logSendingEnabled(config: Pick<ResolvedConfig, 'logsExporter'>): boolean {
  return config.logsExporter.some((name) => name !== 'none')
}

/** Options of the pino, winston and bunyan instrumentations for this config. */
export function logBridgeConfig(ctx: { config: Pick<ResolvedConfig, 'logsExporter'> }): {
  disableLogSending: boolean
  disableLogCorrelation: boolean
} {
  return { disableLogSending: !logSendingEnabled(ctx.config), disableLogCorrelation: false }
}
