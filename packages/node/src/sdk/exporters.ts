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

/**
 * The upstream exporter package and class of each signal over grpc. The HTTP protocols keep the
 * upstream serialisers but send through otelkit's transport (otlp-http-exporters.ts).
 */
const GRPC_EXPORTERS = {
  traces: { exporterPackage: '@opentelemetry/exporter-trace-otlp-grpc', className: 'OTLPTraceExporter' },
  metrics: { exporterPackage: '@opentelemetry/exporter-metrics-otlp-grpc', className: 'OTLPMetricExporter' },
  logs: { exporterPackage: '@opentelemetry/exporter-logs-otlp-grpc', className: 'OTLPLogExporter' },
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
 * The upstream grpc exporter of one signal, with its endpoint, metadata (the headers), timeout,
 * compression and TLS credentials. Throws {@link OtlpTlsUnavailableError} when the signal's TLS
 * settings cannot be honoured.
 */
export function createGrpcExporter(signal: OtlpSignalConfig): unknown {
  const tls = otlpTls(signal)
  if (!tls.ok) throw new OtlpTlsUnavailableError(signal.signal)
  const { exporterPackage, className } = GRPC_EXPORTERS[signal.signal]
  const grpc = grpcOf(exporterPackage)
  const metadata = new grpc.Metadata()
  for (const [key, value] of Object.entries(signal.headers)) metadata.set(key, value)
  const { ca, key, cert } = tls.material
  const credentials = tls.secure
    ? grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null)
    : grpc.credentials.createInsecure()
  const exports = require(exporterPackage) as Record<string, new (options: object) => unknown>
  const Exporter = exports[className] as new (options: object) => unknown
  return new Exporter({
    url: signal.endpoint,
    timeoutMillis: signal.timeoutMs,
    compression: signal.compression,
    concurrencyLimit: 2,
    metadata,
    credentials,
  })
}

export function createOtlpTraceExporter(config: ResolvedConfig): SpanExporter {
  const traces = config.otlp.traces
  if (traces.protocol === 'grpc') return createGrpcExporter(traces) as SpanExporter
  return createOtlpHttpTraceExporter(traces, otlpTlsMaterial(traces), traces.protocol)
}

export function createConsoleSpanExporter(): SpanExporter {
  const { ConsoleSpanExporter } = require('@opentelemetry/sdk-trace')
  return new ConsoleSpanExporter()
}

export function createOtlpMetricExporter(config: ResolvedConfig): PushMetricExporter {
  const metrics = config.otlp.metrics
  if (metrics.protocol === 'grpc') return createGrpcExporter(metrics) as PushMetricExporter
  return createOtlpHttpMetricExporter(metrics, otlpTlsMaterial(metrics), metrics.protocol)
}

export function createConsoleMetricExporter(): PushMetricExporter {
  const { ConsoleMetricExporter } = require('@opentelemetry/sdk-metrics')
  return new ConsoleMetricExporter()
}
