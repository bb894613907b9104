/**
 * The log record exporters of `OTEL_LOGS_EXPORTER`: the upstream OTLP log exporter of the
 * configured protocol, and the console exporter. Their packages are required only when built,
 * i.e. when the first logger asks for the logs signal.
 */
import { createRequire } from 'node:module'
import type { LogRecordExporter } from '@opentelemetry/sdk-logs'
import type { OtlpProtocol } from '../config/options.js'
import type { ResolvedConfig } from '../config/resolved.js'

const require = createRequire(import.meta.url)

const LOG_PACKAGES: Record<OtlpProtocol, string> = {
  'http/protobuf': '@opentelemetry/exporter-logs-otlp-proto',
  'http/json': '@opentelemetry/exporter-logs-otlp-http',
  grpc: '@opentelemetry/exporter-logs-otlp-grpc',
}

/** The OTLP settings of the logs signal: where, how and with what the log exporter sends. */
export interface OtlpLogsSettings {
  protocol: OtlpProtocol
  url: string
  headers: Record<string, string>
  timeoutMillis: number
  compression: 'gzip' | 'none'
}

/**
 * The logs signal's OTLP settings from the resolved config. The single place to extend when the
 * config grows per-signal settings for logs (`OTEL_EXPORTER_OTLP_LOGS_*`: headers, timeout,
 * compression, TLS).
 */
export function otlpLogsSettings(config: ResolvedConfig): OtlpLogsSettings {
  return {
    protocol: config.otlpLogsProtocol,
    url: config.otlpLogsEndpoint,
    headers: config.otlpHeaders,
    timeoutMillis: config.otlpTimeoutMs,
    compression: config.otlpCompression,
  }
}

/** Builds the upstream OTLP log exporter for the configured protocol. */
export function createOtlpLogExporter(config: ResolvedConfig): LogRecordExporter {
  const { protocol, ...options } = otlpLogsSettings(config)
  const { OTLPLogExporter } = require(LOG_PACKAGES[protocol]) as {
    OTLPLogExporter: new (options: object) => LogRecordExporter
  }
  return new OTLPLogExporter({ ...options, concurrencyLimit: 2 })
}

/** Builds the console log record exporter (one object per record on stdout). */
export function createConsoleLogExporter(): LogRecordExporter {
  const { ConsoleLogRecordExporter } = require('@opentelemetry/sdk-logs') as {
    ConsoleLogRecordExporter: new () => LogRecordExporter
  }
  return new ConsoleLogRecordExporter()
}
