/**
 * Builds the OTLP and console exporters from the resolved config. Each OTLP exporter takes its
 * signal's settings from `config.otlp.<signal>` (endpoint, headers, timeout, compression, TLS);
 * TLS files are loaded once per signal, and a TLS setting that cannot be honoured makes the
 * builder throw {@link OtlpTlsUnavailableError} (the problem is warned once): that signal is then
 * not sent at all, never sent in clear. Modules are required only when an exporter is actually
 * built, so unused transports cost nothing at start-up.
 */
import { createRequire } from 'node:module'
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics'
import type { SpanExporter } from '@opentelemetry/sdk-trace'
import type { OtlpSignalConfig } from '../config/otlp.js'
import type { ResolvedConfig } from '../config/resolved.js'
import { log } from '../logger.js'
import { loadOtlpTls, type OtlpTlsMaterial, type OtlpTlsResult } from '../otlp/tls.js'
import { createOtlpHttpMetricExporter, createOtlpHttpTraceExporter } from './otlp-http-exporters.js'

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

/** A signal's TLS settings could not be honoured (warned once at load): nothing is sent. */
export class OtlpTlsUnavailableError extends Error {
  constructor(signal: string) {
    super(
      `${signal} are not exported: the OTLP TLS settings could not be loaded (see the warning at start-up)`,
    )
    this.name = 'OtlpTlsUnavailableError'
  }
}

const tlsResults = new WeakMap<OtlpSignalConfig, OtlpTlsResult>()

/** The TLS files of one signal, loaded and checked once; a problem is logged once, as a warning. */
export function otlpTls(signal: OtlpSignalConfig): OtlpTlsResult {
  let result = tlsResults.get(signal)
  if (result === undefined) {
    result = loadOtlpTls(signal)
    tlsResults.set(signal, result)
    if (!result.ok) log.warn(result.problem)
  }
  return result
}

/** The TLS material of one signal; throws {@link OtlpTlsUnavailableError} when it cannot be honoured. */
export function otlpTlsMaterial(signal: OtlpSignalConfig): OtlpTlsMaterial {
  const tls = otlpTls(signal)
  if (!tls.ok) throw new OtlpTlsUnavailableError(signal.signal)
  return tls.material
}

interface GrpcModule {
  Metadata: new () => { set(key: string, value: string): void }
  credentials: {
    createSsl(ca?: Buffer | null, key?: Buffer | null, cert?: Buffer | null): unknown
    createInsecure(): unknown
  }
}

/** The @grpc/grpc-js instance the exporter package itself uses (credentials must come from it). */
function grpcOf(exporterPackage: string): GrpcModule {
  const exporterRequire = createRequire(require.resolve(exporterPackage))
  const baseRequire = createRequire(exporterRequire.resolve('@opentelemetry/otlp-grpc-exporter-base'))
  return baseRequire('@grpc/grpc-js') as GrpcModule
}

/**
 * Constructor options of an upstream OTLP exporter (`exporterPackage`, any protocol) for one
 * signal. Throws {@link OtlpTlsUnavailableError} when the signal's TLS settings cannot be honoured.
 */
export function upstreamExporterOptions(
  signal: OtlpSignalConfig,
  exporterPackage: string,
): Record<string, unknown> {
  const tls = otlpTls(signal)
  if (!tls.ok) throw new OtlpTlsUnavailableError(signal.signal)
  const common = {
    url: signal.endpoint,
    timeoutMillis: signal.timeoutMs,
    compression: signal.compression,
    concurrencyLimit: 2,
  }
  if (signal.protocol === 'grpc') {
    const grpc = grpcOf(exporterPackage)
    const metadata = new grpc.Metadata()
    for (const [key, value] of Object.entries(signal.headers)) metadata.set(key, value)
    const { ca, key, cert } = tls.material
    const credentials = tls.secure
      ? grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null)
      : grpc.credentials.createInsecure()
    return { ...common, metadata, credentials }
  }
  return { ...common, headers: signal.headers, httpAgentOptions: { keepAlive: true, ...tls.material } }
}

export function createOtlpTraceExporter(config: ResolvedConfig): SpanExporter {
  const traces = config.otlp.traces
  if (traces.protocol !== 'grpc') {
    return createOtlpHttpTraceExporter(traces, otlpTlsMaterial(traces), traces.protocol)
  }
  const pkg = TRACE_PACKAGES[traces.protocol]
  const { OTLPTraceExporter } = require(pkg)
  return new OTLPTraceExporter(upstreamExporterOptions(config.otlp.traces, pkg))
}

export function createConsoleSpanExporter(): SpanExporter {
  const { ConsoleSpanExporter } = require('@opentelemetry/sdk-trace')
  return new ConsoleSpanExporter()
}

export function createOtlpMetricExporter(config: ResolvedConfig): PushMetricExporter {
  const metrics = config.otlp.metrics
  if (metrics.protocol !== 'grpc') {
    return createOtlpHttpMetricExporter(metrics, otlpTlsMaterial(metrics), metrics.protocol)
  }
  const pkg = METRIC_PACKAGES[metrics.protocol]
  const { OTLPMetricExporter } = require(pkg)
  return new OTLPMetricExporter(upstreamExporterOptions(config.otlp.metrics, pkg))
}

export function createConsoleMetricExporter(): PushMetricExporter {
  const { ConsoleMetricExporter } = require('@opentelemetry/sdk-metrics')
  return new ConsoleMetricExporter()
}

/**
 * Constructor options of the upstream OTLP log exporter `exporterPackage` (the package of
 * `config.otlp.logs.protocol`): endpoint, headers, timeout, compression and TLS of the logs
 * signal. Throws {@link OtlpTlsUnavailableError} when its TLS settings cannot be honoured.
 */
export function otlpLogExporterOptions(
  config: ResolvedConfig,
  exporterPackage: string,
): Record<string, unknown> {
  return upstreamExporterOptions(config.otlp.logs, exporterPackage)
}
