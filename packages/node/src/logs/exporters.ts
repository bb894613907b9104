/**
 * The log record exporters of `OTEL_LOGS_EXPORTER`: the upstream OTLP log exporter of the
 * configured protocol (the HTTP ones sending through otelkit's transport), and the console
 * exporter. Their packages are required only when built, i.e. when the first logger asks for the
 * logs signal.
 */
import { createRequire } from 'node:module'
import type { LogRecordExporter } from '@opentelemetry/sdk-logs'
import type { ResolvedConfig } from '../config/resolved.js'
import { createGrpcExporter, otlpTlsMaterial } from '../sdk/exporters.js'
import { createOtlpHttpLogExporter } from '../sdk/otlp-http-exporters.js'

const require = createRequire(import.meta.url)

/**
 * Builds the upstream OTLP log exporter for the logs signal's protocol, with its settings from
 * `config.otlp.logs` (endpoint, headers, timeout, compression, TLS; sdk/exporters.ts). Throws
 * when they cannot be honoured (a TLS file that does not load): then nothing is sent in clear.
 */
export function createOtlpLogExporter(config: ResolvedConfig): LogRecordExporter {
  const logs = config.otlp.logs
  if (logs.protocol === 'grpc') return createGrpcExporter(logs) as LogRecordExporter
  return createOtlpHttpLogExporter(logs, otlpTlsMaterial(logs), logs.protocol)
}

/** Builds the console log record exporter (one object per record on stdout). */
export function createConsoleLogExporter(): LogRecordExporter {
  const { ConsoleLogRecordExporter } = require('@opentelemetry/sdk-logs') as {
    ConsoleLogRecordExporter: new () => LogRecordExporter
  }
  return new ConsoleLogRecordExporter()
}
