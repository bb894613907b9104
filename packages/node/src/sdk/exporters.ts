/**
 * Builds the OTLP and console exporters from the resolved config. Modules are required only
 * when an exporter is actually built, so unused transports cost nothing at start-up.
 */
import { createRequire } from 'node:module'
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics'
import type { SpanExporter } from '@opentelemetry/sdk-trace'
import type { ResolvedConfig } from '../config/resolved.js'

const require = createRequire(import.meta.url)

const TRACE_PACKAGES = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
} as const

const METRIC_PACKAGES = {
  'http/protobuf': '@opentelemetry/exporter-metrics-otlp-proto',
  'http/json': '@opentelemetry/exporter-metrics-otlp-http',
  grpc: '@opentelemetry/exporter-metrics-otlp-grpc',
} as const

function commonOptions(config: ResolvedConfig, url: string) {
  return {
    url,
    headers: config.otlpHeaders,
    timeoutMillis: config.otlpTimeoutMs,
    compression: config.otlpCompression,
    concurrencyLimit: 2,
  }
}

export function createOtlpTraceExporter(config: ResolvedConfig): SpanExporter {
  const { OTLPTraceExporter } = require(TRACE_PACKAGES[config.otlpTracesProtocol])
  return new OTLPTraceExporter(commonOptions(config, config.otlpTracesEndpoint))
}

export function createConsoleSpanExporter(): SpanExporter {
  const { ConsoleSpanExporter } = require('@opentelemetry/sdk-trace')
  return new ConsoleSpanExporter()
}

export function createOtlpMetricExporter(config: ResolvedConfig): PushMetricExporter {
  const { OTLPMetricExporter } = require(METRIC_PACKAGES[config.otlpMetricsProtocol])
  return new OTLPMetricExporter(commonOptions(config, config.otlpMetricsEndpoint))
}

export function createConsoleMetricExporter(): PushMetricExporter {
  const { ConsoleMetricExporter } = require('@opentelemetry/sdk-metrics')
  return new ConsoleMetricExporter()
}
